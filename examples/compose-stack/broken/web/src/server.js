const app = require('fastify')();
app.get('/health', async () => ({ ok: true }));
app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });
