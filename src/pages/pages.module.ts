import { Module } from '@nestjs/common';
import { PagesController } from './pages.controller.js';

/** The app's own pages: login, signup and account (devices). */
@Module({
  controllers: [PagesController],
})
export class PagesModule {}
