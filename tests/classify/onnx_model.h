// Writes tiny benign ONNX models for the tests, byte by byte in the protobuf wire format, so
// the loading and scoring path of OnnxImageClassifier runs on a real network without any
// downloaded model.
#ifndef VIGIL_TESTS_CLASSIFY_ONNX_MODEL_H_
#define VIGIL_TESTS_CLASSIFY_ONNX_MODEL_H_

#include <cstdint>
#include <string>

namespace vigil::classify::testing {

// A model with one GlobalAveragePool node: input "x" float [1, channels, height, width],
// output "y" [1, channels, 1, 1], the mean of each channel. Its first output is the mean of
// the first channel (the mean brightness of a grey image).
std::string MeanBrightnessOnnx(int channels, int height, int width);

// A 24-bit BMP file of `width` x `height` pixels, all of grey level `value`: an input whose
// mean brightness, hence the model's score, is known by hand (value / 255 with scale 1/255).
std::string UniformGreyBmp(int width, int height, uint8_t value);

}  // namespace vigil::classify::testing

#endif  // VIGIL_TESTS_CLASSIFY_ONNX_MODEL_H_
