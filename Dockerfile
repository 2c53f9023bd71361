# WebSIG application image: builds the web app at install time, runs the TypeScript server with tsx.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Install scripts run only for the packages listed in package.json "allowScripts"; `prepare`
# (the web build, the import command's build) needs the sources, so it runs after the copy below.
RUN npm ci --ignore-scripts --no-audit --no-fund --include=dev
COPY . .
RUN npm run build:web && npm run build:cli && npm prune --omit=dev --no-audit --no-fund
# DATA_DIR (./data) must be the server's to write: download files are kept there, and the embedded
# database too when DATABASE_URL is unset.
RUN mkdir -p /app/data && chown node:node /app/data
# tsx (a runtime dependency) runs the TypeScript sources directly.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s CMD node -e "fetch('http://127.0.0.1:3000/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "server/main.ts"]
