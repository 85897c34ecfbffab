import { Module } from '@nestjs/common';
import { DevicesController } from './devices.controller.js';

/** The signed-in user's own account: their devices. */
@Module({
  controllers: [DevicesController],
})
export class AccountModule {}
