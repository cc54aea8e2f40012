#include "core/text.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(EscapeHtmlTest, EachSpecialCharacterBecomesItsEntityAndTheRestIsKept) {
  EXPECT_EQ(EscapeHtml(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(EscapeHtml("Grüße, plain text"), "Grüße, plain text");
  EXPECT_EQ(EscapeHtml(""), "");
  EXPECT_EQ(EscapeHtml("&amp;"), "&amp;amp;");  // escaping is not idempotent: escape once
}

}  // namespace
}  // namespace vigil
