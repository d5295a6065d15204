import { Controller, Get, Post } from '@nestjs/common';
import { MetadataScanner, type DiscoveryService } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { CacheResponse } from './cache-response.decorator.js';
import type { CacheSpecResolver } from './cache-spec.js';
import { routePath } from '../http/front-routes.js';
import { discoverCachedRoutes } from './cached-routes.js';

const list: CacheSpecResolver = () => ({ key: 'list', tags: ['t'], ttlSeconds: 1 });
const one: CacheSpecResolver = () => ({ key: 'one', tags: ['t'], ttlSeconds: 1 });

@Controller('api/things')
class ThingsController {
  @Get()
  @CacheResponse(list)
  all(): void {}

  @Get('stats')
  stats(): void {}

  @Get(['top', 'best'])
  @CacheResponse(list)
  top(): void {}

  @Get(':id')
  @CacheResponse(one)
  get(): void {}

  @Post()
  create(): void {}
}

@Controller('api/wrong')
class WrongController {
  @Post()
  @CacheResponse(one)
  write(): void {}
}

/** DiscoveryService's answer for an app whose only controllers are these. */
const appWith = (...controllers: object[]): DiscoveryService =>
  ({
    getControllers: () => controllers.map((metatype) => ({ metatype })),
  }) as unknown as DiscoveryService;

describe('discoverCachedRoutes', () => {
  it('finds every @CacheResponse GET route with its full path and resolver, and nothing else', () => {
    const routes = discoverCachedRoutes(appWith(ThingsController), new MetadataScanner());
    expect(routes.map((route) => [route.path, route.resolve])).toEqual([
      ['/api/things', list],
      ['/api/things/top', list],
      ['/api/things/best', list],
      ['/api/things/:id', one],
    ]);
    expect(routes.every((route) => route.controller === ThingsController)).toBe(true);
    expect(routes[3]?.handler).toBe(
      Object.getOwnPropertyDescriptor(ThingsController.prototype, 'get')?.value,
    );
  });

  it('refuses @CacheResponse on a route that is not a GET', () => {
    expect(() => discoverCachedRoutes(appWith(WrongController), new MetadataScanner())).toThrow(
      /WrongController.write, which is not a GET route/,
    );
  });
});

describe('routePath', () => {
  it.each([
    [['api/things', ''], '/api/things'],
    [['/api/things/', '/'], '/api/things'],
    [['api/things', ':id'], '/api/things/:id'],
    [['', ''], '/'],
    [['/api/things/'], '/api/things'],
  ])('joins %j as %s', (parts, path) => {
    expect(routePath(...parts)).toBe(path);
  });
});
