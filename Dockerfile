# Build stage: full dependencies (Nest CLI, TypeScript) to compile the library and the app.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/session/package.json libs/session/
RUN npm ci
COPY . .
RUN npm run build

# Runtime stage: production dependencies and compiled output only.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/session/package.json libs/session/
# The app imports the library by package name: npm links the workspace into node_modules,
# so the library's dist/ has to sit at libs/session/dist.
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/libs/session/dist libs/session/dist
COPY --from=build /app/dist dist
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]
