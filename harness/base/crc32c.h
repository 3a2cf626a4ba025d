// CRC-32C (Castagnoli), as used by the record contract: reflected polynomial
// 0x82F63B78, initial value and final xor 0xFFFFFFFF. Check value:
// Crc32c("123456789") == 0xE3069283.
//
//   uint32_t c = Crc32c(data, n);                 // one shot
//   uint32_t c2 = Crc32cExtend(Crc32c(a, n1), b, n2);  // == Crc32c(a+b)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crashbench {

// Uses the SSE4.2 crc32 instruction when the CPU has it, software otherwise.
uint32_t Crc32c(const void* data, size_t n);
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

// The two implementations, exposed for tests and benchmarks.
uint32_t Crc32cExtendSoftware(uint32_t crc, const void* data, size_t n);
uint32_t Crc32cExtendHardware(uint32_t crc, const void* data, size_t n);
bool Crc32cHardwareAvailable();

// 8 lowercase hex digits.
std::string Crc32cHex(uint32_t crc);

}  // namespace crashbench
