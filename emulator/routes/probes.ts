/** Unauthenticated probes: `/healthz`, `/readyz`, `/version`. */
import { jsonReply } from '../core/http';
import { defineRoute } from '../http/router';
import { versionBody } from '../quirks';

export const probeRoutes = [
  defineRoute({
    method: 'GET',
    path: '/healthz',
    auth: 'public',
    handle: () => jsonReply(200, { status: 'ok' }),
  }),
  defineRoute({
    method: 'GET',
    path: '/readyz',
    auth: 'public',
    handle: (context) => {
      const gateways = [...context.state.gateways.values()];
      const connected = gateways.filter((gateway) => context.state.isGatewayConnected(gateway.name)).length;
      const checks: Record<string, unknown> = {
        database: 'ok',
        database_latency_ms: 0.1,
        gateway_service: 'ok',
        gateways_total: gateways.length,
        gateways_connected: connected,
      };
      if (gateways.length > 0 && connected < gateways.length) checks['gateways_degraded'] = true;
      return jsonReply(200, { status: 'ready', checks });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/version',
    auth: 'public',
    handle: (context) => jsonReply(200, versionBody(context.settings.version)),
  }),
];
