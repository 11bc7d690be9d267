# One image, two roles: the API (node dist/api/server.js) and the worker (node dist/worker.js).
# Build stage: every dependency (TypeScript, type packages), to compile src/ and prebundle the workflows.
# No install scripts: the build needs none (the project's own postinstall fetches the dev stack's Temporal CLI).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies only (no install scripts: the prebuilt workflow bundle needs
# no compiler), the compiled dist/ and the SQL migrations. Neither dev/ (the development stack) nor
# sandbox/ (the API simulators), nor any TypeScript source, is in the image.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
