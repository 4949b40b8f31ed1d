# One image for both processes: `api` and `worker` differ only by command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
USER node
EXPOSE 3000
CMD ["npx", "tsx", "api/main.ts"]
