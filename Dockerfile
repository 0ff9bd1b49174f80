FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# Prisma's CLI wants DATABASE_URL set to generate; any syntactically valid URL does.
RUN DATABASE_URL=postgresql://build@localhost/build npm ci --omit=dev
COPY . .
EXPOSE 3000
# exec form, and the launcher execs node: node is PID 1 and receives SIGTERM for a graceful shutdown.
CMD ["bin/papermail-node", "src/server.ts"]
