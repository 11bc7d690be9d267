import { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { addFile, deleteFile } from '../actions/files';
import { badRequest, LeverError } from '../errors';
import { paginate } from '../pagination';
import { inRange, queryRange } from '../query';
import { fileView } from '../views/activity';
import { sparseFile } from '../views/sparse';
import { accountOf, apiActor, apiBase, sendData, sendNoContent, sendPage, type V1Deps } from './deps';

export function fileRoutes(deps: V1Deps): Router {
  const { need, options } = deps;
  const router = Router();
  const view = (req: Request) => (file: Parameters<typeof fileView>[0]) => {
    const full = fileView(file, apiBase(req), options.quirks.fileNumbersAsStrings);
    return options.sparse ? (sparseFile(full) as typeof full) : full;
  };

  router.get('/opportunities/:opportunityId/files', need('files:read:admin'), (req, res) => {
    const account = accountOf(req);
    account.opportunity(req.params.opportunityId);
    const [start, end] = queryRange(req, 'uploaded_at');
    const files = account.filesOf(req.params.opportunityId).filter((f) => inRange(f.uploadedAt, start, end));
    // the docs' example is a bare array, which has no room for pagination: every file at once
    if (options.quirks.fileListBareArray) return void res.json(files.map(view(req)));
    sendPage(res, paginate(req, files.map(view(req)), (f) => f.id));
  });

  router.get('/opportunities/:opportunityId/files/:fileId', need('files:read:admin'), (req, res) => {
    sendData(res, view(req)(accountOf(req).file(req.params.opportunityId, req.params.fileId)));
  });

  router.get('/opportunities/:opportunityId/files/:fileId/download', need('files:read:admin'), (req, res) => {
    const file = accountOf(req).file(req.params.opportunityId, req.params.fileId);
    if (file.status === 'error') throw new LeverError(422, 'UnprocessableEntity', `file ${file.id} could not be processed`);
    res.type(file.mimeType).attachment(file.name).send(file.bytes);
  });

  // perform_as is checked before the upload is read, and again for its value
  const performAsRequired: RequestHandler = (req, _res, next) => { apiActor(req, deps, true); next(); };
  const upload = singleFileUpload(options.maxFileBytes, options.quirks.fileTooLargeStatus);
  router.post('/opportunities/:opportunityId/files', need('files:write:admin'), performAsRequired, upload, (req, res) => {
    const actor = apiActor(req, deps, true);
    if (!req.file) throw badRequest('Send the file as multipart/form-data in a part named "file"');
    const account = accountOf(req);
    const file = addFile(account, actor.userId, req.params.opportunityId, {
      name: req.file.originalname, mimeType: req.file.mimetype, bytes: req.file.buffer,
    });
    sendData(res, view(req)(file), 201);
  });

  router.delete('/opportunities/:opportunityId/files/:fileId', need('files:write:admin'), (req, res) => {
    apiActor(req, deps, true);
    deleteFile(accountOf(req), req.params.opportunityId, req.params.fileId);
    sendNoContent(res);
  });

  return router;
}

/** multer in memory, one part named `file`; its errors become Lever-style `{code, message}` answers. */
function singleFileUpload(maxFileBytes: number, tooLargeStatus: 413 | 400): RequestHandler {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxFileBytes, files: 1 } }).single('file');
  return (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        next(err.code === 'LIMIT_FILE_SIZE'
          ? new LeverError(tooLargeStatus, tooLargeStatus === 413 ? 'PayloadTooLarge' : 'BadRequest', `File is larger than ${maxFileBytes} bytes`)
          : badRequest(`${err.message}${err.field ? ` (part "${err.field}")` : ''}: send one part named "file"`));
        return;
      }
      next(err);
    });
  };
}
