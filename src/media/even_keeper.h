// Keeping a bounded, evenly spaced selection of a stream whose length is not known in advance
// (the frames of a video whose container does not say, or misstates, how long it is).
// Internal to media (thumbnail.cc); a header of its own so its arithmetic is tested alone.
//
// Thread safety: a keeper belongs to one thread.
#ifndef VIGIL_MEDIA_EVEN_KEEPER_H_
#define VIGIL_MEDIA_EVEN_KEEPER_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace vigil::media {

// Items 0, s, 2s, ... of the stream are kept, the stride s starting at 1 and doubling (keeping
// every other held item) whenever 2n are held, so at most 2n items are ever held; Take() then
// returns n of them evenly spaced, the first and the last held included.
template <typename T>
class EvenKeeper {
 public:
  explicit EvenKeeper(size_t n) : n_(n < 1 ? 1 : n) {}

  // Whether the next item of the stream is to be kept; call once per item, in order.
  bool Wants() { return seen_++ % stride_ == 0; }
  // Keeps the item Wants() just asked for.
  void Keep(T item) {
    held_.push_back(std::move(item));
    if (held_.size() < 2 * n_) return;
    size_t out = 0;
    for (size_t i = 0; i < held_.size(); i += 2) held_[out++] = std::move(held_[i]);
    held_.resize(out);
    stride_ *= 2;
  }
  size_t held() const { return held_.size(); }

  std::vector<T> Take() && {
    if (held_.size() <= n_) return std::move(held_);
    std::vector<T> out;
    out.reserve(n_);
    const size_t last = held_.size() - 1;
    for (size_t k = 0; k < n_; ++k) {
      // Index round(k * last / (n - 1)); k = 0 is the first item, k = n - 1 the last.
      const size_t i = n_ == 1 ? 0 : (k * last + (n_ - 1) / 2) / (n_ - 1);
      out.push_back(std::move(held_[i]));
    }
    return out;
  }

 private:
  const size_t n_;
  int64_t stride_ = 1;
  int64_t seen_ = 0;
  std::vector<T> held_;
};

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_EVEN_KEEPER_H_
