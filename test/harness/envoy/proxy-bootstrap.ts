import type { Bootstrap } from "./bootstrap.js";

/** A STATIC cluster of one endpoint on 127.0.0.1. `http2` for gRPC services (ratelimit, ext_authz). */
export function loopbackCluster(name: string, port: number, opts: { http2?: boolean } = {}): Record<string, unknown> {
  const cluster: Record<string, unknown> = {
    name,
    type: "STATIC",
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: port } } } }] }],
    },
  };
  if (opts.http2 === true) {
    cluster.typed_extension_protocol_options = {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicit_http_config: { http2_protocol_options: {} },
      },
    };
  }
  return cluster;
}

export interface ProxyBootstrapOptions {
  /** Port of the HTTP listener on 127.0.0.1 (from freePort(), or 0 and EnvoyProcess.listenerPort("ingress")). */
  listenerPort: number;
  /** Port of the upstream on 127.0.0.1 (cluster "upstream"). */
  upstreamPort: number;
  /** HTTP filters in order; the router is appended. Each is `{ name, typed_config }`. */
  httpFilters?: Record<string, unknown>[];
  /** Extra fields on the single catch-all route (e.g. `typed_per_filter_config`). */
  route?: Record<string, unknown>;
  /** Extra fields on the route's `route` action (e.g. `rate_limits`, `timeout`). */
  routeAction?: Record<string, unknown>;
  /** Extra fields on the virtual host (e.g. `rate_limits`, `typed_per_filter_config`). */
  virtualHost?: Record<string, unknown>;
  /** More clusters, e.g. loopbackCluster("ratelimit", rls.grpcPort, { http2: true }). */
  clusters?: Record<string, unknown>[];
  /** Extra fields on the HttpConnectionManager. */
  connectionManager?: Record<string, unknown>;
}

/** The smallest useful sidecar-like bootstrap: listener "ingress" on 127.0.0.1 → HTTP connection
 *  manager (stat prefix "ingress") with the given filters → router → cluster "upstream". */
export function proxyBootstrap(opts: ProxyBootstrapOptions): Bootstrap {
  return {
    static_resources: {
      listeners: [
        {
          name: "ingress",
          address: { socket_address: { address: "127.0.0.1", port_value: opts.listenerPort } },
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    stat_prefix: "ingress",
                    route_config: {
                      name: "local",
                      virtual_hosts: [
                        {
                          name: "all",
                          domains: ["*"],
                          routes: [
                            {
                              match: { prefix: "/" },
                              route: { cluster: "upstream", ...opts.routeAction },
                              ...opts.route,
                            },
                          ],
                          ...opts.virtualHost,
                        },
                      ],
                    },
                    http_filters: [
                      ...(opts.httpFilters ?? []),
                      {
                        name: "envoy.filters.http.router",
                        typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" },
                      },
                    ],
                    ...opts.connectionManager,
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [loopbackCluster("upstream", opts.upstreamPort), ...(opts.clusters ?? [])],
    },
  };
}
