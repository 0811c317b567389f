FROM node:20-alpine
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --fetch-timeout=600000 --fetch-retries=5
COPY web/src ./src
COPY web/public ./public
USER node
CMD ["node", "src/server.js"]
