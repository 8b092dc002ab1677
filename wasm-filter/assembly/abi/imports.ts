// Raw proxy-wasm 0.2.1 host functions. Only hostcalls.ts calls these: it is the
// one place that turns pointers and status codes into typed values.
// Every pointer is a linear-memory address; `*_ptr_ptr` / `return_*` slots are
// written by the host (data returned through them was allocated by the host via
// proxy_on_memory_allocate and must be freed by the guest).

// Logging
@external("env", "proxy_log")
export declare function proxy_log(level: u32, messageData: usize, messageSize: usize): u32;
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(returnLevel: usize): u32;

// Clock and timer
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(returnTime: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(periodMs: u32): u32;

// Context
@external("env", "proxy_done")
export declare function proxy_done(): u32;
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): u32;

// Properties
@external("env", "proxy_get_property")
export declare function proxy_get_property(pathData: usize, pathSize: usize, returnValueData: usize, returnValueSize: usize): u32;
@external("env", "proxy_set_property")
export declare function proxy_set_property(pathData: usize, pathSize: usize, valueData: usize, valueSize: usize): u32;

// Buffers
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(bufferType: u32, start: usize, maxSize: usize, returnData: usize, returnSize: usize): u32;
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(bufferType: u32, start: usize, size: usize, valueData: usize, valueSize: usize): u32;
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(bufferType: u32, returnSize: usize, returnFlags: usize): u32;

// Header maps
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(mapType: u32, returnData: usize, returnSize: usize): u32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(mapType: u32, data: usize, size: usize): u32;
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(mapType: u32, returnSize: usize): u32;
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(mapType: u32, keyData: usize, keySize: usize, returnValueData: usize, returnValueSize: usize): u32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(mapType: u32, keyData: usize, keySize: usize, valueData: usize, valueSize: usize): u32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(mapType: u32, keyData: usize, keySize: usize, valueData: usize, valueSize: usize): u32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(mapType: u32, keyData: usize, keySize: usize): u32;

// Stream control and local replies
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(streamType: u32): u32;
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(streamType: u32): u32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  statusCode: u32,
  detailsData: usize, detailsSize: usize,
  bodyData: usize, bodySize: usize,
  headersData: usize, headersSize: usize,
  grpcStatus: i32,
): u32;

// HTTP callouts
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstreamData: usize, upstreamSize: usize,
  headersData: usize, headersSize: usize,
  bodyData: usize, bodySize: usize,
  trailersData: usize, trailersSize: usize,
  timeoutMs: u32, returnToken: usize,
): u32;

// Shared key-value store
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(keyData: usize, keySize: usize, returnValueData: usize, returnValueSize: usize, returnCas: usize): u32;
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(keyData: usize, keySize: usize, valueData: usize, valueSize: usize, cas: u32): u32;

// Shared queues
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(nameData: usize, nameSize: usize, returnId: usize): u32;
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(vmIdData: usize, vmIdSize: usize, nameData: usize, nameSize: usize, returnId: usize): u32;
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(queueId: u32, valueData: usize, valueSize: usize): u32;
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(queueId: u32, returnValueData: usize, returnValueSize: usize): u32;

// Metrics
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metricType: u32, nameData: usize, nameSize: usize, returnId: usize): u32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, delta: i64): u32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): u32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metricId: u32, returnValue: usize): u32;
