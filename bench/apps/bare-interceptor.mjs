// Row "bare-interceptor": the bare route under one global interceptor that does nothing
// (`next.handle()`). What Nest's interceptor chain alone costs a route: the floor under any
// route whose handler takes @CurrentSession(), whose save runs in an interceptor.
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { createApp, decorateClass, decorateMethod, listenAndReport, okBody } from './common.mjs';

class BareController {
  bare() {
    return okBody();
  }
}
decorateMethod(BareController, 'bare', Get('bare'));
decorateClass(BareController, Controller());

class NoOpInterceptor {
  intercept(_context, next) {
    return next.handle();
  }
}
decorateClass(NoOpInterceptor, Injectable());

class BareInterceptorModule {}
decorateClass(
  BareInterceptorModule,
  Module({
    controllers: [BareController],
    providers: [{ provide: APP_INTERCEPTOR, useClass: NoOpInterceptor }],
  }),
);

await listenAndReport(await createApp(BareInterceptorModule));
