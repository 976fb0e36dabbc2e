#include "search/program_text.h"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>

#include "search/errors.h"
#include "search/mutation.h"
#include "tests/test_programs.h"

namespace evo {

namespace {
constexpr const char* kExample =
    "input x\n"
    "r1 = fma(x, 0x1.62e42fefa39efp-1, x)\n"
    "r2 = mul(r1, r1)\n"
    "r3 = const(-0x1.8p+0)\n"
    "r4 = div(r2, r3)\n"
    "output y = r4\n";

std::vector<Program> random_programs(int n) {
  MutationSpace space;
  space.ops = {Op::add, Op::sub, Op::mul, Op::div, Op::fma, Op::sqrt, Op::min, Op::neg};
  space.max_instructions = 20;
  std::vector<Program> out;
  Program p = trivial_program(test::xy_signature());
  Rng rng(42);
  for (int i = 0; i < n; ++i) {
    mutate(p, space, rng);
    out.push_back(p);
  }
  return out;
}
}  // namespace

TEST(ProgramText, PrintsAndParsesBackToTheSameProgram) {
  const Program p = test::parse_xy(std::string(kExample).substr(8));
  EXPECT_EQ(to_text(p), kExample);
  EXPECT_EQ(parse_program(to_text(p), test::xy_signature()), p);
  for (const Program& q : random_programs(500)) {
    ASSERT_EQ(parse_program(to_text(q), test::xy_signature()), q) << to_text(q);
  }
}

TEST(ProgramText, AcceptsFreeNamesReassignmentDecimalsAndComments) {
  const Program p = test::parse_xy(
      "# a comment\n"
      "t = mul(x, 0.5)   # trailing comment\n"
      "t = add(t, 1)\n"
      "output y = t\n");
  ASSERT_EQ(p.code.size(), 2u);
  EXPECT_EQ(p.code[1].args[0], 1);  // reads the first t
  EXPECT_EQ(p.code[0].imm, 0.5);
  EXPECT_EQ(p.outputs[0], 2);
}

TEST(ProgramText, StatesAndUpdatesRoundTrip) {
  const std::string text =
      "input g\nstate m\nr1 = fma(m, 0x1.ccccccccccccdp-1, g)\nupdate m = r1\noutput u = r1\n";
  const Program p = parse_program(text);
  EXPECT_EQ(to_text(p), text);
  EXPECT_EQ(p.state_next[0], 2);
}

TEST(ProgramText, RejectsMalformedText) {
  const char* bad[] = {
      "r1 = foo(x)\noutput y = r1\n",        // unknown op
      "r1 = add(x, z)\noutput y = r1\n",     // unknown register
      "r1 = add(x)\noutput y = r1\n",        // arity
      "r1 = add(1, 2)\noutput y = r1\n",     // two constants
      "r1 = add(x, 1)\n",                    // no output
      "r1 = add(x, nan)\noutput y = r1\n",   // non-finite constant
      "r1 = add(x, 1e999)\noutput y = r1\n", // overflowing constant
      "x = add(x, 1)\noutput y = x\n",       // assigns an input
      "r1 add(x, 1)\noutput y = r1\n",       // no '='
      "output y = r9\n",                     // undefined register
  };
  for (const char* body : bad) {
    EXPECT_THROW(test::parse_xy(body), InputError) << body;
  }
  // A program with other inputs than the domain's is rejected against that signature.
  EXPECT_THROW(parse_program("input t\noutput y = t\n", test::xy_signature()), InputError);
  // Inputs and states may not take the names printed programs give registers (found by
  // fuzz_program_text: the program printed back would not parse).
  EXPECT_THROW(parse_program("input g\nstate r6\nr1 = add(g, r6)\nupdate r6 = r1\noutput y = r1\n"), InputError);
  EXPECT_THROW(parse_program("input r1\noutput y = r1\n"), InputError);
  EXPECT_NO_THROW(parse_program("input r\nstate r2x\nr1 = add(r, r2x)\nupdate r2x = r1\noutput y = r1\n"));
}

TEST(ProgramText, ErrorsNameTheLine) {
  try {
    test::parse_xy("r1 = add(x, 1)\nr2 = bogus(r1)\noutput y = r2\n");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();  // "input x" is line 1
    EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos) << e.what();
  }
}

TEST(ProgramSerialization, BinaryAndTextArchivesRoundTrip) {
  for (const Program& p : random_programs(200)) {
    std::stringstream bin, txt;
    {
      boost::archive::binary_oarchive a(bin);
      a << p;
      boost::archive::text_oarchive t(txt);
      t << p;
    }
    Program q, r;
    {
      boost::archive::binary_iarchive a(bin);
      a >> q;
      boost::archive::text_iarchive t(txt);
      t >> r;
    }
    ASSERT_EQ(q, p);
    ASSERT_EQ(r, p);
  }
}

}  // namespace evo
