// Reading whole files with a size limit, for the process edges (CLI, server) that hand bytes
// to the pure modules. Errors name the path.
//
// Thread safety: free functions with no shared state.
#ifndef VIGIL_CORE_FILE_H_
#define VIGIL_CORE_FILE_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigil {

// Reads the whole file at `path`. Fails with kNotFound when it does not exist, kInvalidArgument
// when it is not a regular file (a directory, a device), kResourceExhausted when it is larger
// than `max_bytes` (checked before reading), and kUnavailable on read errors.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes);

// Reads all of `stream` (e.g. stdin) up to `max_bytes`; kResourceExhausted beyond it.
Result<std::vector<uint8_t>> ReadStreamBytes(std::FILE* stream, const std::string& name,
                                             uint64_t max_bytes);

}  // namespace vigil

#endif  // VIGIL_CORE_FILE_H_
