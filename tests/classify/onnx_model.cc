// The protobuf wire format (varints and length-delimited fields) of onnx.proto's ModelProto,
// just as much of it as one node needs.
#include "onnx_model.h"

#include <cstdint>
#include <initializer_list>

namespace vigil::classify::testing {
namespace {

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string IntField(int field, uint64_t v) { return Varint(uint64_t(field) << 3) + Varint(v); }

std::string BytesField(int field, const std::string& bytes) {
  return Varint((uint64_t(field) << 3) | 2) + Varint(bytes.size()) + bytes;
}

// ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type FLOAT, shape: dims}}}.
std::string FloatTensor(const std::string& name, std::initializer_list<int> dims) {
  std::string shape;
  for (int d : dims) shape += BytesField(1, IntField(1, static_cast<uint64_t>(d)));
  const std::string tensor = IntField(1, 1) + BytesField(2, shape);
  return BytesField(1, name) + BytesField(2, BytesField(1, tensor));
}

}  // namespace

std::string MeanBrightnessOnnx(int channels, int height, int width) {
  const std::string node = BytesField(1, "x") + BytesField(2, "y") + BytesField(3, "pool") +
                           BytesField(4, "GlobalAveragePool");
  const std::string graph = BytesField(1, node) + BytesField(2, "mean_brightness") +
                            BytesField(11, FloatTensor("x", {1, channels, height, width})) +
                            BytesField(12, FloatTensor("y", {1, channels, 1, 1}));
  const std::string opset = IntField(2, 11);
  return IntField(1, 6) + BytesField(2, "vigil-test") + BytesField(7, graph) + BytesField(8, opset);
}

std::string UniformGreyBmp(int width, int height, uint8_t value) {
  auto le = [](std::string& out, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  const uint32_t row = (static_cast<uint32_t>(width) * 3 + 3) & ~3u;  // rows padded to 4 bytes
  const uint32_t data = row * static_cast<uint32_t>(height);
  std::string out = "BM";
  le(out, 54 + data, 4);  // file size
  le(out, 0, 4);
  le(out, 54, 4);  // pixel data offset
  le(out, 40, 4);  // BITMAPINFOHEADER
  le(out, static_cast<uint32_t>(width), 4);
  le(out, static_cast<uint32_t>(height), 4);
  le(out, 1, 2);   // planes
  le(out, 24, 2);  // bits per pixel
  le(out, 0, 4);   // no compression
  le(out, data, 4);
  le(out, 2835, 4);
  le(out, 2835, 4);
  le(out, 0, 4);
  le(out, 0, 4);
  for (int y = 0; y < height; ++y) {
    std::string r(row, '\0');
    for (int x = 0; x < width * 3; ++x) r[x] = static_cast<char>(value);
    out += r;
  }
  return out;
}

}  // namespace vigil::classify::testing
