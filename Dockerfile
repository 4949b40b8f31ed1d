# One image for both processes: `api` and `worker` differ only by command. Both run the compiled
# JavaScript in dist/ (no tsx, no source maps); the build's dev dependencies are pruned after it.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN node bin/build.js && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
