import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentSession, type Session, SessionService } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import {
  ApiCrossSiteRefused,
  ApiSessionRequired,
  ApiStoreUnavailable,
} from '../docs/api-responses.decorator.js';
import { ErrorResponse } from '../http/error-response.js';
import { sessionUserId } from '../http/session-user-id.js';
import { type DeviceView, toDeviceView } from './device.presenter.js';
import { DeviceResponse } from './dto/device-response.js';

// Public session ids are base64url. Checked loosely, only to turn junk into the same 404 as an
// id that is not the caller's, before it reaches Redis.
const PUBLIC_SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The signed-in user's devices (sessions): list them, sign one out, sign out all others. */
@ApiTags('account')
@ApiSessionRequired()
@ApiStoreUnavailable()
@Controller('sessions')
export class DevicesController {
  constructor(private readonly sessions: SessionService) {}

  /** Newest first; exactly one is `current`. */
  @Get()
  @ApiOkResponse({ type: [DeviceResponse], description: 'Newest first; exactly one is current.' })
  async list(@CurrentSession() session: Session): Promise<DeviceView[]> {
    const devices = await this.sessions.list(sessionUserId(session), session);
    return devices.map(toDeviceView);
  }

  /** Every session of the caller but this one; they are dead when the 204 is sent. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiCrossSiteRefused()
  @ApiNoContentResponse({ description: 'Every session of the caller but this one is revoked.' })
  async revokeOthers(@CurrentSession() session: Session): Promise<void> {
    await this.sessions.revokeOthers(session);
  }

  /** One of the caller's sessions; 404 for any other id, including other users' sessions. */
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiCrossSiteRefused()
  @ApiNoContentResponse({ description: 'That device is logged out.' })
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: "Not one of the caller's sessions (also for other users' ids).",
  })
  async revoke(@CurrentSession() session: Session, @Param('id') id: string): Promise<void> {
    if (id === session.id) {
      // Signing out this very device is a logout: the response also clears its cookie.
      await this.sessions.destroy(session);
      return;
    }
    const revoked =
      PUBLIC_SESSION_ID.test(id) && (await this.sessions.revoke(sessionUserId(session), id));
    if (!revoked) throw new NotFoundException(AppErrorMessages.sessionNotFound);
  }
}
