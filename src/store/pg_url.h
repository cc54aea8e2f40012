// PostgreSQL connection URLs: validating "postgresql://..." / "postgres://..." before connecting,
// and the password-free form that every message and Database::url() uses.
//
// A URL is a libpq connection URI (https://www.postgresql.org/docs/15/libpq-connect.html), e.g.
// "postgresql://vigil:secret@db.internal:5432/vigil?sslmode=verify-full". The password may be in
// the user part or in a "password=" query parameter; it never appears in a Status message.
//
// Thread safety: free functions and a value type.
#ifndef VIGIL_STORE_PG_URL_H_
#define VIGIL_STORE_PG_URL_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil::store {

// True for "postgresql://..." and "postgres://...", the spellings libpq accepts.
bool IsPostgresUrl(std::string_view url);

// `url` with any password removed from the user part and the query, for messages. Purely
// textual, so it is safe on URLs that libpq would reject.
std::string RedactPgUrl(std::string_view url);

struct PgUrl {
  std::string url;       // as given; may hold the password, so never print it
  std::string redacted;  // RedactPgUrl(url)
  std::string password;  // the password libpq will send, if the URL has one; scrubbed from text
};

// Parses `url` with libpq's own parser and checks the ports are numbers in 1..65535 (libpq
// only notices a bad port when connecting). kInvalidArgument naming the redacted URL when it is
// not a valid PostgreSQL URL.
Result<PgUrl> ParsePgUrl(std::string_view url);

// `text` with every occurrence of `password` replaced by "****". Passwords shorter than four
// characters are left alone: libpq does not echo passwords, this is a second line of defence,
// and replacing every "a" in a message would make it unreadable.
std::string ScrubPassword(std::string text, std::string_view password);

}  // namespace vigil::store

#endif  // VIGIL_STORE_PG_URL_H_
