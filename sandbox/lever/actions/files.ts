import { extname } from 'node:path';
import { newId } from '../ids';
import type { StoredFile } from '../model';
import type { AccountState } from '../state';
import { touch } from './actor';

/** Formats Lever documents as processable; anything else is stored as `unsupported`. */
const PROCESSABLE = new Set(['docx', 'doc', 'js', 'jpg', 'png', 'pdf', 'txt']);

export interface Upload { name: string; mimeType: string; bytes: Buffer }

export function addFile(account: AccountState, uploadedBy: string, opportunityId: string, upload: Upload): StoredFile {
  const opp = account.opportunity(opportunityId);
  const ext = extname(upload.name).replace('.', '').toLowerCase();
  const file: StoredFile = {
    id: newId(), opportunityId, name: upload.name, ext, mimeType: upload.mimeType, size: upload.bytes.length,
    uploadedAt: Date.now(), status: PROCESSABLE.has(ext) ? 'processed' : 'unsupported', bytes: upload.bytes, uploadedBy,
  };
  account.files.set(file.id, file);
  touch(opp, file.uploadedAt);
  return file;
}

export function deleteFile(account: AccountState, opportunityId: string, fileId: string): void {
  account.file(opportunityId, fileId);
  account.files.delete(fileId);
}
