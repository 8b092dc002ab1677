/** Envoy clusters for the standalone target: the model, JWKS hosts and the ratelimit service. */

export interface HostPort {
  host: string;
  port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `host:port` with an IPv4 address or a DNS name and a port from 1 to 65535; undefined otherwise. */
export function parseHostPort(value: string): HostPort | undefined {
  const m = /^([^:\s]+):(\d{1,5})$/.exec(value);
  if (!m?.[1] || !m[2]) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  if (!IPV4.test(m[1]) && !HOSTNAME.test(m[1])) return undefined;
  return { host: m[1], port };
}

export const isIpv4 = (host: string) => IPV4.test(host);

export interface ClusterOptions {
  /** gRPC services (the ratelimit service) speak HTTP/2. */
  http2?: boolean;
  /** TLS to the endpoint, verifying its certificate for `host` against this CA bundle. */
  tlsCaFile?: string;
  /** LOGICAL_DNS for large external services (JWKS hosts); STRICT_DNS otherwise. */
  logicalDns?: boolean;
}

/** One endpoint: STATIC for an IPv4 address, DNS-resolved for a name. Key order is fixed. */
export function endpointCluster(name: string, target: HostPort, opts: ClusterOptions = {}): Record<string, unknown> {
  const dnsType = opts.logicalDns === true ? "LOGICAL_DNS" : "STRICT_DNS";
  const cluster: Record<string, unknown> = {
    name,
    type: isIpv4(target.host) ? "STATIC" : dnsType,
    connect_timeout: "5s",
    ...(isIpv4(target.host) ? {} : { dns_lookup_family: "V4_PREFERRED" }),
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: target.host, port_value: target.port } } } }] }],
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
  if (opts.tlsCaFile !== undefined) {
    cluster.transport_socket = {
      name: "envoy.transport_sockets.tls",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
        ...(isIpv4(target.host) ? {} : { sni: target.host }),
        common_tls_context: {
          validation_context: {
            trusted_ca: { filename: opts.tlsCaFile },
            match_typed_subject_alt_names: [{ san_type: isIpv4(target.host) ? "IP_ADDRESS" : "DNS", matcher: { exact: target.host } }],
          },
        },
      },
    };
  }
  return cluster;
}
