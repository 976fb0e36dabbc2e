#include "hashing/canonical.h"

#include <gtest/gtest.h>

#include "evaluators/registry.h"
#include "tests/test_programs.h"

namespace evo {
namespace {

struct Hashes {
  std::uint64_t structural;
  Hash128 functional;
};

Hashes hashes_of(const std::string& body) {
  static const auto domain = make_domain("funcapprox", {{"target", "exp2"}, {"interval", "0:1"}});
  const Program p = parse_program("input x\n" + body, domain->signature());
  const Program c = canonicalize(p);
  return {structural_hash(c), domain->functional_hash(p)};
}

void expect_same(const std::string& a, const std::string& b) {
  const Hashes ha = hashes_of(a), hb = hashes_of(b);
  EXPECT_EQ(ha.structural, hb.structural) << a << "--- vs ---\n" << b;
  EXPECT_EQ(ha.functional, hb.functional) << a << "--- vs ---\n" << b;
}

const std::string kBase =
    "r1 = mul(x, x)\n"
    "r2 = fma(r1, 0x1.5p-2, x)\n"
    "r3 = add(x, 1)\n"
    "r4 = div(r2, r3)\n"
    "output y = r4\n";

}  // namespace

TEST(Canonical, DeadCodeDoesNotChangeTheHashes) {
  expect_same(kBase,
              "r1 = mul(x, x)\n"
              "dead = sqrt(x)\n"
              "r2 = fma(r1, 0x1.5p-2, x)\n"
              "also_dead = mul(dead, r2)\n"
              "r3 = add(x, 1)\n"
              "r4 = div(r2, r3)\n"
              "output y = r4\n");
}

TEST(Canonical, RegisterNamesDoNotChangeTheHashes) {
  expect_same(kBase,
              "sq = mul(x, x)\n"
              "num = fma(sq, 0x1.5p-2, x)\n"
              "den = add(x, 1)\n"
              "q = div(num, den)\n"
              "output y = q\n");
}

TEST(Canonical, CommutativeArgumentOrderDoesNotChangeTheHashes) {
  expect_same(kBase,
              "r1 = mul(x, x)\n"
              "r2 = fma(0x1.5p-2, r1, x)\n"
              "r3 = add(1, x)\n"
              "r4 = div(r2, r3)\n"
              "output y = r4\n");
}

TEST(Canonical, OrderOfIndependentInstructionsDoesNotChangeTheHashes) {
  expect_same(kBase,
              "r3 = add(x, 1)\n"
              "r1 = mul(x, x)\n"
              "r2 = fma(r1, 0x1.5p-2, x)\n"
              "r4 = div(r2, r3)\n"
              "output y = r4\n");
}

TEST(Canonical, DifferentFunctionsHaveDifferentHashes) {
  const Hashes base = hashes_of(kBase);
  const std::string others[] = {
      "r1 = mul(x, x)\nr2 = fma(r1, 0x1.5p-2, x)\nr3 = add(x, 1)\nr4 = div(r3, r2)\noutput y = r4\n",  // sub/div order
      "r1 = mul(x, x)\nr2 = fma(r1, 0x1.6p-2, x)\nr3 = add(x, 1)\nr4 = div(r2, r3)\noutput y = r4\n",  // constant
      "r1 = mul(x, x)\nr2 = fma(r1, 0x1.5p-2, x)\nr3 = add(x, 2)\nr4 = div(r2, r3)\noutput y = r4\n",
      "r1 = mul(x, x)\nr2 = fma(r1, 0x1.5p-2, x)\nr3 = sub(x, 1)\nr4 = div(r2, r3)\noutput y = r4\n",
      "r1 = mul(x, x)\noutput y = r1\n",
  };
  for (const auto& o : others) {
    const Hashes h = hashes_of(o);
    EXPECT_NE(h.structural, base.structural) << o;
    EXPECT_NE(h.functional, base.functional) << o;
  }
}

TEST(Canonical, EquivalentButDifferentlyWrittenProgramsShareOnlyTheFunctionalHash) {
  // x*2 and x+x compute the same bits but are different structures.
  const Hashes a = hashes_of("r1 = mul(x, 2)\noutput y = r1\n");
  const Hashes b = hashes_of("r1 = add(x, x)\noutput y = r1\n");
  EXPECT_NE(a.structural, b.structural);
  EXPECT_EQ(a.functional, b.functional);
}

TEST(Canonical, CanonicalFormIsAFixedPointAndComputesTheSame) {
  const Program p = test::parse_xy(
      "r3 = add(x, 1)\nd = sqrt(x)\nr1 = mul(x, x)\nr2 = fma(0x1.5p-2, r1, x)\nr4 = div(r2, r3)\noutput y = r4\n");
  const Program c = canonicalize(p);
  EXPECT_EQ(canonicalize(c), c);
  EXPECT_EQ(c.code.size(), 4u);
  EXPECT_EQ(validation_error(c), "");
}

}  // namespace evo
