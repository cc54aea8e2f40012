#include "server_env.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace vigil::server::testing {

std::string SecretFor(auth::Role role) { return "secret-" + std::string(auth::RoleName(role)); }

std::string TexturedBmp(int seed) {
  const int w = 64, h = 64, row = w * 3, size = 54 + row * h;
  std::string b(static_cast<size_t>(size), '\0');
  auto put32 = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  b[0] = 'B';
  b[1] = 'M';
  put32(2, size);
  put32(10, 54);
  put32(14, 40);
  put32(18, w);
  put32(22, h);
  b[26] = 1;   // planes
  b[28] = 24;  // bits per pixel
  put32(34, row * h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      // Blocks of different brightness: strong gradients in both directions, so PDQ's
      // quality is high and different seeds give distant hashes.
      const int v = (((x / 8) * 37 + (y / 8) * 91 + seed * 53) * 2654435761u >> 7) & 0xff;
      for (int c = 0; c < 3; ++c) b[54 + y * row + x * 3 + c] = static_cast<char>(v);
    }
  }
  return b;
}

namespace {
constexpr char kTestEvidenceKeys[] =
    "m1 0202020202020202020202020202020202020202020202020202020202020202\n";
}  // namespace

void ServerTest::UseEvidenceStore(ServerConfig& config) const {
  config.evidence_dir = path_ + ".media-evidence";
  config.evidence_keys_file = path_ + ".media-evidence.keys";
  std::ofstream(config.evidence_keys_file) << kTestEvidenceKeys;
}

std::unique_ptr<privacy::EvidenceStore> ServerTest::OpenTestEvidence() const {
  auto cipher = privacy::LoadEvidenceCipher("", kTestEvidenceKeys, "");
  EXPECT_TRUE(cipher.ok()) << cipher.status().ToString();
  if (!cipher.ok()) return nullptr;
  auto store = privacy::EvidenceStore::Open(path_ + ".media-evidence", std::move(*cipher));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

void ServerTest::SetUp() {
  static std::atomic<int> counter{0};
  path_ = (std::filesystem::temp_directory_path() /
           ("vigil_server_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".db"))
              .string();
  std::filesystem::remove(path_);
  url_ = path_;
  if (UsePostgres()) {
    SKIP_WITHOUT_POSTGRES();
    scratch_ = store::testing::MustCreateScratch();
    ASSERT_NE(scratch_, nullptr);
    url_ = scratch_->url();
  }
  auto db = store::OpenDatabase(url_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(*db);
  audit_ = std::make_unique<AuditLogRecorder>(db_->audit());
  recorder_ = audit_.get();
  for (auth::Role role : auth::kAllRoles) {
    auto key = auth::CreateApiKey(
        db_->api_keys(),
        {std::string(auth::RoleName(role)), {role}, auth::HashSecret(SecretFor(role))},
        SystemClock().Now());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
  }
  StartServer(DefaultConfig());
}

void ServerTest::TearDown() {
  client_.reset();
  server_.reset();
  db_.reset();
  scratch_.reset();
  for (const char* suffix : {"", "-wal", "-shm", ".media-evidence.keys"}) {
    std::filesystem::remove(path_ + suffix);
  }
  std::filesystem::remove_all(path_ + ".media-evidence");
}

ServerConfig ServerTest::DefaultConfig() const {
  ServerConfig c;
  c.address = "127.0.0.1";
  c.port = 0;
  c.database = url_;
  c.threads = 4;
  c.limits.max_body_bytes = 256 * 1024;
  c.limits.read_timeout = std::chrono::milliseconds(500);
  c.auth_cache = std::chrono::seconds(0);  // revocations visible at once in tests
  return c;
}

void ServerTest::StartServer(ServerConfig config) {
  client_.reset();
  server_.reset();
  auto s = Server::Create(config, *db_, *recorder_, clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  server_ = std::move(*s);
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_GT(server_->port(), 0);
  client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  client_->set_read_timeout(10, 0);
}

std::vector<audit::AuditRecord> ServerTest::AuditLog() {
  auto records = db_->audit().List(1, 100000);
  EXPECT_TRUE(records.ok()) << records.status().ToString();
  return records.ok() ? *records : std::vector<audit::AuditRecord>();
}

httplib::Headers ServerTest::Auth(auth::Role role) const {
  return {{"Authorization", "Bearer " + SecretFor(role)}};
}

httplib::Result ServerTest::Get(const std::string& path, auth::Role role) {
  return client_->Get(path, Auth(role));
}

httplib::Result ServerTest::PostJson(const std::string& path, const std::string& body,
                                     auth::Role role) {
  return client_->Post(path, Auth(role), body, "application/json");
}

httplib::Result ServerTest::PutJson(const std::string& path, const std::string& body,
                                    auth::Role role) {
  return client_->Put(path, Auth(role), body, "application/json");
}

httplib::Result ServerTest::Delete(const std::string& path, auth::Role role) {
  return client_->Delete(path, Auth(role));
}

httplib::Result ServerTest::PostFiles(const std::string& path,
                                      const httplib::MultipartFormDataItems& items,
                                      auth::Role role) {
  return client_->Post(path, Auth(role), items);
}

nlohmann::json ServerTest::Json(const httplib::Result& r, int status) {
  if (!r) {
    ADD_FAILURE() << "request failed: " << httplib::to_string(r.error());
    return nullptr;
  }
  EXPECT_EQ(r->status, status) << r->body;
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r->body;
  return j;
}

}  // namespace vigil::server::testing
