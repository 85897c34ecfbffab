import { UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
import { Public } from '../decorators/public.decorator.js';
import { RequireRoles } from '../decorators/require-roles.decorator.js';
import type { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import { SessionGuard } from './session.guard.js';

class Resolvers {
  @RequireRoles('admin')
  adminOnly(): void {}

  @Public()
  open(): void {}
}

// The guard refuses before it would load a session: nothing here may reach the lifecycle.
const unreachable = new Proxy({} as RequestSessionLifecycle, {
  get: () => {
    throw new Error('the lifecycle was used');
  },
});

function contextOf(type: string, handler: keyof Resolvers): ExecutionContextHost {
  // The handler function itself, as Nest passes it: only its metadata is read.
  const method = Object.getOwnPropertyDescriptor(Resolvers.prototype, handler)?.value as () => void;
  const context = new ExecutionContextHost([{}, {}, {}], Resolvers, method);
  context.setType(type);
  return context;
}

describe('SessionGuard outside HTTP', () => {
  const guard = new SessionGuard(new Reflector(), unreachable);

  it.each(['graphql', 'rpc', 'ws'])('refuses a %s handler it cannot check', async (type) => {
    const refused = guard.canActivate(contextOf(type, 'adminOnly'));
    await expect(refused).rejects.toBeInstanceOf(UnauthorizedException);
    await expect(refused).rejects.toThrow(/HTTP routes only.*@Public\(\)/);
  });

  it('lets through a non-HTTP handler marked @Public()', async () => {
    await expect(guard.canActivate(contextOf('rpc', 'open'))).resolves.toBe(true);
  });
});
