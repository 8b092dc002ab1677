/** A minimal proxy-wasm module (ABI 0.2.1), assembled byte by byte so the harness can prove
 *  Envoy runs wasm on V8 without depending on the real filter's build.
 *
 *  Behaviour:
 *   - proxy_on_configure copies the plugin configuration (buffer type 7) into linear memory and
 *     logs "mg-wasm-fixture configured" at info level (Envoy component `wasm`);
 *   - proxy_on_request_headers adds the header `x-mg-wasm: <plugin configuration>` to the request;
 *   - proxy_on_response_headers adds the same header to the response;
 *   - everything else continues. proxy_on_memory_allocate is a bump allocator (never frees). */

export const FIXTURE_HEADER = "x-mg-wasm";
export const FIXTURE_LOG_LINE = "mg-wasm-fixture configured";

// proxy-wasm ABI numbers (spec v0.2.1).
const LOG_INFO = 2;
const MAP_REQUEST_HEADERS = 0;
const MAP_RESPONSE_HEADERS = 2;
const BUFFER_PLUGIN_CONFIGURATION = 7;
const ACTION_CONTINUE = 0;

// Linear memory layout.
const RETURN_PTR_SLOT = 0; // host writes the config's address here
const RETURN_SIZE_SLOT = 4; // ...and its size here
const HEADER_NAME_AT = 16;
const LOG_LINE_AT = 32;
const HEAP_START = 1024;

// WebAssembly encoding.
const I32 = 0x7f;
const op = {
  end: 0x0b,
  call: 0x10,
  drop: 0x1a,
  localGet: 0x20,
  globalGet: 0x23,
  globalSet: 0x24,
  i32Load: 0x28,
  i32Const: 0x41,
  i32Add: 0x6a,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (s: string): number[] => [...Buffer.from(s, "utf8")];
const name = (s: string): number[] => [...uleb(Buffer.byteLength(s)), ...utf8(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const i32Const = (n: number): number[] => [op.i32Const, ...sleb(n)];
const funcType = (params: number, results: number): number[] => [
  0x60,
  ...vec(Array.from({ length: params }, () => [I32])),
  ...vec(Array.from({ length: results }, () => [I32])),
];
/** A function body without locals. */
const body = (code: number[]): number[] => {
  const inner = [0x00, ...code, op.end];
  return [...uleb(inner.length), ...inner];
};

// Type indices.
const T_II_V = 0; // (i32, i32) -> ()
const T_II_I = 1; // (i32, i32) -> i32
const T_III_I = 2; // (i32, i32, i32) -> i32
const T_I_I = 3; // (i32) -> i32
const T_I_V = 4; // (i32) -> ()
const T_V_V = 5; // () -> ()
const T_IIIII_I = 6; // (i32 x5) -> i32

// Function indices: imports first.
const F_PROXY_LOG = 0;
const F_GET_BUFFER_BYTES = 1;
const F_ADD_HEADER = 2;

// Globals.
const G_HEAP = 0;
const G_CONFIG_PTR = 1;
const G_CONFIG_LEN = 2;

/** The module's bytes. Deterministic: same output on every call. */
export function buildProxyWasmFixture(): Uint8Array {
  const types = section(1, vec([
    funcType(2, 0),
    funcType(2, 1),
    funcType(3, 1),
    funcType(1, 1),
    funcType(1, 0),
    funcType(0, 0),
    funcType(5, 1),
  ]));
  const imports = section(2, vec([
    [...name("env"), ...name("proxy_log"), 0x00, ...uleb(T_III_I)],
    [...name("env"), ...name("proxy_get_buffer_bytes"), 0x00, ...uleb(T_IIIII_I)],
    [...name("env"), ...name("proxy_add_header_map_value"), 0x00, ...uleb(T_IIIII_I)],
  ]));

  const addHeader = (mapType: number): number[] => [
    ...i32Const(mapType),
    ...i32Const(HEADER_NAME_AT),
    ...i32Const(Buffer.byteLength(FIXTURE_HEADER)),
    op.globalGet, G_CONFIG_PTR,
    op.globalGet, G_CONFIG_LEN,
    op.call, F_ADD_HEADER,
    op.drop,
    ...i32Const(ACTION_CONTINUE),
  ];
  // [export names, type, body], in function-index order after the imports.
  const functions: [string[], number, number[]][] = [
    [["proxy_abi_version_0_2_1"], T_V_V, []],
    [
      ["proxy_on_memory_allocate", "malloc"],
      T_I_I,
      // old = heap; heap = old + size; return old
      [op.globalGet, G_HEAP, op.globalGet, G_HEAP, op.localGet, 0, op.i32Add, op.globalSet, G_HEAP],
    ],
    [["proxy_on_context_create"], T_II_V, []],
    [["proxy_on_vm_start"], T_II_I, i32Const(1)],
    [
      ["proxy_on_configure"],
      T_II_I,
      [
        // proxy_get_buffer_bytes(PluginConfiguration, 0, config_size, &ptr, &size)
        ...i32Const(BUFFER_PLUGIN_CONFIGURATION),
        ...i32Const(0),
        op.localGet, 1,
        ...i32Const(RETURN_PTR_SLOT),
        ...i32Const(RETURN_SIZE_SLOT),
        op.call, F_GET_BUFFER_BYTES,
        op.drop,
        ...i32Const(RETURN_PTR_SLOT), op.i32Load, 2, 0, op.globalSet, G_CONFIG_PTR,
        ...i32Const(RETURN_SIZE_SLOT), op.i32Load, 2, 0, op.globalSet, G_CONFIG_LEN,
        // proxy_log(info, "mg-wasm-fixture configured")
        ...i32Const(LOG_INFO),
        ...i32Const(LOG_LINE_AT),
        ...i32Const(Buffer.byteLength(FIXTURE_LOG_LINE)),
        op.call, F_PROXY_LOG,
        op.drop,
        ...i32Const(1),
      ],
    ],
    [["proxy_on_request_headers"], T_III_I, addHeader(MAP_REQUEST_HEADERS)],
    [["proxy_on_response_headers"], T_III_I, addHeader(MAP_RESPONSE_HEADERS)],
    [["proxy_on_request_body", "proxy_on_response_body"], T_III_I, i32Const(ACTION_CONTINUE)],
    [["proxy_on_request_trailers", "proxy_on_response_trailers"], T_II_I, i32Const(ACTION_CONTINUE)],
    [["proxy_on_done"], T_I_I, i32Const(1)],
    [["proxy_on_log", "proxy_on_delete"], T_I_V, []],
  ];
  const importCount = 3;

  const funcs = section(3, vec(functions.map(([, type]) => uleb(type))));
  const memory = section(5, vec([[0x00, ...uleb(2)]])); // 2 pages, no maximum
  const global = (init: number): number[] => [I32, 0x01, ...i32Const(init), op.end];
  const globals = section(6, vec([global(HEAP_START), global(0), global(0)]));
  const exports = section(7, vec([
    [...name("memory"), 0x02, ...uleb(0)],
    ...functions.flatMap(([names], i) => names.map((n) => [...name(n), 0x00, ...uleb(importCount + i)])),
  ]));
  const code = section(10, vec(functions.map(([, , instrs]) => body(instrs))));
  const segment = (at: number, text: string): number[] => [0x00, ...i32Const(at), op.end, ...vec(utf8(text).map((b) => [b]))];
  const data = section(11, vec([segment(HEADER_NAME_AT, FIXTURE_HEADER), segment(LOG_LINE_AT, FIXTURE_LOG_LINE)]));

  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  return Uint8Array.from([...magicAndVersion, ...types, ...imports, ...funcs, ...memory, ...globals, ...exports, ...code, ...data]);
}
