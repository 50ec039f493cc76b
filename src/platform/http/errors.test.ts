import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { installErrorHandling } from './errors.js';

describe('error answers', () => {
  it('answers OVERLOADED as 503 with Retry-After from the error details', async () => {
    const app = Fastify();
    installErrorHandling(app);
    app.get('/busy', async () => {
      throw new AppError('OVERLOADED', 'The ingest queue is full.', { retryAfterSeconds: 2 });
    });
    const response = await app.inject({ method: 'GET', url: '/busy' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toEqual({
      error: { code: 'OVERLOADED', message: 'The ingest queue is full.', details: { retryAfterSeconds: 2 } },
    });
    await app.close();
  });

  it('hides the message of an unexpected error behind INTERNAL', async () => {
    const app = Fastify({ logger: false });
    installErrorHandling(app);
    app.get('/boom', async () => {
      throw new Error('secret internals');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ error: { code: 'INTERNAL' } });
    expect(response.body).not.toContain('secret internals');
    await app.close();
  });
});
