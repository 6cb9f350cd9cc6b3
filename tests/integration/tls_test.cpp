// HTTPS with a certificate made for the test: the same server, behind TLS.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include "raw_client.hpp"
#include "test_server.hpp"

namespace aic::test {
namespace {

// Writes a fresh self-signed P-256 certificate for 127.0.0.1 and its key as PEM files.
void write_self_signed(const std::filesystem::path& cert_path,
                       const std::filesystem::path& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  ASSERT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(cert_file, cert.get());
  std::fclose(cert_file);
  FILE* key_file = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(key_file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(key_file);
}

TEST(Tls, ServesHttpsWhenConfigured) {
  TempDir files;
  auto cert = files.path() / "cert.pem";
  auto key = files.path() / "key.pem";
  write_self_signed(cert, key);
  TestServer server([&](core::Config& config) {
    config.tls.cert_file = cert.string();
    config.tls.key_file = key.string();
  });

  RawClient tcp(server.port());
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            SSL_CTX_free);
  // Trust exactly the test certificate.
  ASSERT_EQ(SSL_CTX_load_verify_locations(context.get(), cert.c_str(), nullptr), 1);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
  SSL_set_fd(ssl.get(), tcp.fd());
  ASSERT_EQ(SSL_connect(ssl.get()), 1) << ERR_error_string(ERR_get_error(), nullptr);
  EXPECT_GE(SSL_version(ssl.get()), TLS1_2_VERSION);

  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())),
            static_cast<int>(request.size()));
  std::string received;
  char buffer[4096];
  int got;
  while ((got = SSL_read(ssl.get(), buffer, sizeof buffer)) > 0) received.append(buffer, got);
  EXPECT_EQ(received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << received;
  EXPECT_NE(received.find(R"({"status":"ok"})"), std::string::npos);

  // Plain HTTP to the TLS port does not get an answer in clear text.
  auto plain = http_request(server.port(), "GET", "/healthz");
  EXPECT_FALSE(plain && plain->status == 200);
}

}  // namespace
}  // namespace aic::test
