# capplan's container image: capplan as the entrypoint, run as a non-root user.
#   docker build -t capplan:0.1.0 .
# Every RUN step is one of the README's commands ("Run on Kubernetes"); test/deploy/dockerfile.test.ts
# runs this file's steps as a shell script, since no base image can be pulled where the tests run.

# Build: install everything (the TypeScript compiler is a dev dependency) and compile to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
# The benchmarks compile with the build and import test helpers; neither reaches the image.
COPY test ./test
COPY datasets ./datasets
RUN npm run build

# Run: production dependencies, the compiled code and the bundled datasets only.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY bin ./bin
COPY datasets ./datasets
COPY --from=build /src/dist ./dist
# A fixed uid/gid the Kubernetes manifests run as (runAsUser: 10001); the root filesystem may be read-only:
# capplan writes only to the database, report and /tmp paths it is given.
USER 10001:10001
ENTRYPOINT ["node", "/app/bin/capplan.js"]
CMD ["--help"]
