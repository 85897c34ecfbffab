// Row "bare": a NestJS route that does nothing but answer: the ceiling of every other row.
import { Controller, Get, Module } from '@nestjs/common';
import { createApp, decorateClass, decorateMethod, listenAndReport, okBody } from './common.mjs';

class BareController {
  bare() {
    return okBody();
  }
}
decorateMethod(BareController, 'bare', Get('bare'));
decorateClass(BareController, Controller());

class BareModule {}
decorateClass(BareModule, Module({ controllers: [BareController] }));

await listenAndReport(await createApp(BareModule));
