// Ethereum's primitives against their published vectors: Keccak-256 known answers, every
// EIP-55 test address of the EIP, personal_sign (EIP-191) recovery of signatures pinned by
// other implementations, and EIP-4361 messages from the specification and the reference
// implementation's test suite, parsed or refused.
#include "security/evm_address.hpp"
#include "security/keccak.hpp"
#include "security/signature.hpp"
#include "security/siwe.hpp"
#include "util/hex.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pend::security {
namespace {

TEST(KeccakTest, KnownAnswers) {
  EXPECT_EQ(keccak256_hex(""), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(keccak256_hex("abc"),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(keccak256_hex("Transfer(address,address,uint256)"),
            "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

TEST(Eip55Test, TheEipsVectors) {
  for (const char* address :
       {"0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
    const auto parsed = parse_address(address);
    ASSERT_TRUE(parsed) << address;
    EXPECT_EQ(parsed->checksummed(), address);
    EXPECT_TRUE(is_checksummed(address));
  }
}

// to_checksum remembers recent addresses by their last byte: addresses that share a slot
// still get their own checksums, in any order.
TEST(Eip55Test, RememberedChecksumsStayEachAddresssOwn) {
  const std::string a = "52908400098527886e0f7030069857d2e4169ee7";
  const std::string b = "de709f2102306220921060314715629080e2fbe7";  // the same last byte
  std::string b_alone;
  std::thread([&] { b_alone = to_checksum(b); }).join();  // a thread that remembers nothing
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(to_checksum(a), "0x52908400098527886E0F7030069857D2E4169EE7");
    EXPECT_EQ(to_checksum(b), b_alone);
  }
  EXPECT_EQ(b_alone, "0xDe709F2102306220921060314715629080E2Fbe7");  // cast to-check-sum-address
}

TEST(Eip55Test, MixedCaseMustCarryTheChecksumOneCaseNeedNot) {
  AddressProblem problem{};
  for (const char* wrong :
       {"0xD1220a0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "0xdbF03B407c01e7cD3CBea99509d93f8DDDC8C6FB",
        "0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5D359", "0x5aAeb6053f3E94C9b9A09f33669435E7Ef1BeAed",
        "0x000000000000000000000000000000000000dEAD"}) {
    EXPECT_FALSE(parse_address(wrong, &problem)) << wrong;
    EXPECT_EQ(problem, AddressProblem::checksum) << wrong;
  }
  // All in one case: accepted, answered with the checksum.
  EXPECT_EQ(parse_address("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359")->checksummed(),
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");
  EXPECT_EQ(parse_address("0xCF5609B003B2776699EEA1233F7C82D5695CC9AA")->checksummed(),
            "0xCf5609B003B2776699eEA1233F7C82D5695cC9AA");
  EXPECT_FALSE(is_checksummed("0xcf5609b003b2776699eea1233f7c82d5695cc9aa"));
  for (const char* malformed :
       {"", "0x", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"}) {
    EXPECT_FALSE(parse_address(malformed, &problem)) << malformed;
    EXPECT_EQ(problem, AddressProblem::format) << malformed;
  }
}

constexpr std::string_view kAnvil0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

TEST(PersonalSignTest, RecoversTheSignerOfPinnedSignatures) {
  EXPECT_EQ(util::to_hex(personal_sign_hash("hello world")),
            "d9eba16ed0ecae432b71fe008c98cc872bb4cc214d3220a36f365326cf807d68");
  // viem's pinned signature of "hello world" by anvil's first account.
  const auto signer = recover_personal_sign(
      "hello world",
      "0xa461f509887bd19e312c0c58467ce8ff8e300d3c1a90b608a760c5b80318eaf15fe57c96f9175d6cd4daad46"
      "63763baa7e78836e067d0163e9a2ccf2ff753f5b1b");
  ASSERT_TRUE(signer);
  EXPECT_EQ(signer->checksummed(), kAnvil0);
  // siwe-rs's verification vector.
  const std::string siwe =
      "localhost:4361 wants you to sign in with your Ethereum account:\n"
      "0x6Da01670d8fc844e736095918bbE11fE8D564163\n\nSIWE Notepad Example\n\n"
      "URI: http://localhost:4361\nVersion: 1\nChain ID: 1\nNonce: kEWepMt9knR6lWJ6A\n"
      "Issued At: 2021-12-07T18:28:18.807Z";
  const std::string good =
      "0x6228b3ecd7bf2df018183aeab6b6f1db1e9f4e3cbe24560404112e25363540eb679934908143224d746bbb5e"
      "1aa65ab435684081f4dbb74a0fec57f98f40f5051c";
  EXPECT_EQ(recover_personal_sign(siwe, good)->checksummed(),
            "0x6Da01670d8fc844e736095918bbE11fE8D564163");
  std::string bad = good;
  bad[2] = '7';  // the vector's own tampered signature
  const auto other = recover_personal_sign(siwe, bad);
  EXPECT_TRUE(!other || other->checksummed() != "0x6Da01670d8fc844e736095918bbE11fE8D564163");
  std::string v_zero = good;
  v_zero.replace(v_zero.size() - 2, 2, "01");  // v as 0/1 instead of 27/28
  EXPECT_EQ(recover_personal_sign(siwe, v_zero)->checksummed(),
            "0x6Da01670d8fc844e736095918bbE11fE8D564163");
  EXPECT_FALSE(recover_personal_sign(siwe, "0x1234"));
  EXPECT_FALSE(recover_personal_sign(siwe, good.substr(0, good.size() - 2) + "05"));
}

// The specification's grammar, on the reference implementation's own cases.
TEST(SiweTest, ParsesTheSpecificationsMessagesAndWritesThemBackTheSame) {
  const std::string full =
      "service.org wants you to sign in with your Ethereum account:\n"
      "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n"
      "I accept the ServiceOrg Terms of Service: https://service.org/tos\n\n"
      "URI: https://service.org/login\nVersion: 1\nChain ID: 1\nNonce: 32891757\n"
      "Issued At: 2021-09-30T16:25:24.000Z\nResources:\n"
      "- ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu\n"
      "- https://example.com/my-web2-claim.json";
  std::string why;
  const auto m = parse_siwe(full, &why);
  ASSERT_TRUE(m) << why;
  EXPECT_EQ(m->domain, "service.org");
  EXPECT_EQ(m->statement, "I accept the ServiceOrg Terms of Service: https://service.org/tos");
  EXPECT_EQ(m->uri, "https://service.org/login");
  EXPECT_EQ(m->chain_id, 1u);
  EXPECT_EQ(m->nonce, "32891757");
  ASSERT_TRUE(m->resources);
  EXPECT_EQ(m->resources->size(), 2u);
  EXPECT_EQ(format_siwe(*m), full);

  const std::string positive[] = {
      // no statement: two empty lines
      "service.org wants you to sign in with your Ethereum account:\n"
      "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n\nURI: https://service.org/login\nVersion: 1\n"
      "Chain ID: 1\nNonce: 32891757\nIssued At: 2021-09-30T16:25:24.000Z",
      // userinfo and port
      "test@127.0.0.1:8080 wants you to sign in with your Ethereum account:\n"
      "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nI accept the ServiceOrg Terms of Service: "
      "https://service.org/tos\n\nURI: https://service.org/login\nVersion: 1\nChain ID: 1\n"
      "Nonce: 32891757\nIssued At: 2021-09-30T16:25:24.000Z",
      // IPv6 domain, chain 4
      "[::cafe] wants you to sign in with your Ethereum account:\n"
      "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n\nURI: https://127.0.0.1/?query=one#begin\n"
      "Version: 1\nChain ID: 4\nNonce: 32891757\nIssued At: 2021-09-30T16:25:24-02:00",
      // the optional scheme, every optional field
      "https://example.com wants you to sign in with your Ethereum account:\n"
      "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n\nSign in to Example\n\n"
      "URI: https://example.com\nVersion: 1\nChain ID: 1\nNonce: K7a9Qx2Lm4Zp\n"
      "Issued At: 2024-01-01T00:00:00Z\nExpiration Time: 2024-01-01T00:10:00Z\n"
      "Not Before: 2024-01-01T00:00:00Z\nRequest ID: req-123\nResources:",
  };
  for (const auto& text : positive) {
    const auto parsed = parse_siwe(text, &why);
    ASSERT_TRUE(parsed) << why << "\n" << text;
    EXPECT_EQ(format_siwe(*parsed), text);
  }
  EXPECT_EQ(parse_siwe(positive[3])->scheme, "https");
  EXPECT_EQ(parse_siwe(positive[3])->domain, "example.com");
}

TEST(SiweTest, RefusesWhatTheGrammarDoesNotAllow) {
  const std::string head = "service.org wants you to sign in with your Ethereum account:\n";
  const std::string address = "0xe5A12547fe4E872D192E3eCecb76F2Ce1aeA4946\n";
  const std::string stmt =
      "\nI accept the ServiceOrg Terms of Service: https://service.org/tos\n\n";
  const std::string tail =
      "URI: https://service.org/login\nVersion: 1\nChain ID: 1\nNonce: 12341234\n"
      "Issued At: 2022-03-17T12:45:13.610Z";
  const std::string good = head + address + stmt + tail;
  ASSERT_TRUE(parse_siwe(good));
  const auto replace = [&](std::string from, std::string to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::vector<std::pair<std::string, std::string>> negative = {
      {"missing domain", replace("service.org wants", " wants")},
      {"missing address", head + "\n" + stmt + tail},
      {"address not EIP-55", replace("0xe5A12547fe4E872D192E3eCecb76F2Ce1aeA4946",
                                     "0xe5a12547fe4e872d192e3ececb76f2ce1aea4946")},
      {"domain not an authority", replace("service.org wants", "#notrfc4501 wants")},
      {"statement with a line break", replace("Service: https", "Service: \nhttps")},
      {"uri not RFC 3986",
       replace("URI: https://service.org/login", "URI: :not_a_rfc3986_valid_uri_")},
      {"missing uri", replace("URI: https://service.org/login\n", "")},
      {"version not 1", replace("Version: 1", "Version: 3")},
      {"chain id not a number", replace("Chain ID: 1", "Chain ID: ?")},
      {"chain id with a leading zero", replace("Chain ID: 1", "Chain ID: 01")},
      {"nonce under 8", replace("Nonce: 12341234", "Nonce: 1234567")},
      {"nonce with a dash", replace("Nonce: 12341234", "Nonce: 1234-5678")},
      {"issued at not RFC 3339",
       replace("2022-03-17T12:45:13.610Z", "Wed Oct 05 2011 16:48:00 GMT+0200 (CEST)")},
      {"out of order", replace("Chain ID: 1\nNonce: 12341234", "Nonce: 12341234\nChain ID: 1")},
      {"trailing line feed", good + "\n"},
      {"text after Resources:", good + "\nResources: x"},
      {"carriage returns", replace("Version: 1\n", "Version: 1\r\n")},
      {"resources on one line", good + "\nResources:\n- https://a.example - https://b.example"},
      {"a resource not RFC 3986", good + "\nResources:\n- https://a.example\n- :bad_"},
      {"one empty line after address", head + address +
                                           "\nURI: https://service.org/login\n"
                                           "Version: 1\nChain ID: 1\nNonce: 12341234\n"
                                           "Issued At: 2022-03-17T12:45:13.610Z"},
      {"impossible date", replace("2022-03-17T12:45", "2022-02-31T12:45")},
      {"too long", good + "\nResources:\n- https://a.example/" + std::string(9000, 'a')},
  };
  for (const auto& [name, text] : negative) {
    std::string why;
    EXPECT_FALSE(parse_siwe(text, &why)) << name;
    EXPECT_FALSE(why.empty()) << name;
  }
}

}  // namespace
}  // namespace pend::security
