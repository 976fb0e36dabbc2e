#include "search/mutation.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/test_programs.h"

namespace evo {

TEST(Mutation, AlwaysYieldsValidProgramsWithoutDeadCode) {
  MutationSpace space;
  space.ops = {Op::add, Op::sub, Op::mul, Op::div, Op::fma, Op::sqrt, Op::neg, Op::min};
  space.max_instructions = 16;
  std::map<MutationKind, int> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    Program p = trivial_program(test::xy_signature());
    for (int step = 0; step < 1000; ++step) {
      const MutationKind k = mutate(p, space, rng);
      ++seen[k];
      ASSERT_EQ(validation_error(p), "") << to_text(p);
      ASSERT_LE(static_cast<int>(p.code.size()), space.max_instructions);
      const auto live = live_instructions(p);
      for (bool l : live) ASSERT_TRUE(l) << "dead code after " << mutation_name(k) << ":\n" << to_text(p);
      for (const Instr& in : p.code) {
        if (in.op == Op::const_) continue;
        bool allowed = false;
        for (Op op : space.ops) allowed |= op == in.op;
        ASSERT_TRUE(allowed) << to_text(p);
      }
    }
  }
  for (auto k : {MutationKind::insert, MutationKind::remove, MutationKind::change_op, MutationKind::rewire,
                 MutationKind::perturb_constant})
    EXPECT_GT(seen[k], 100) << mutation_name(k);
}

TEST(Mutation, SameStreamSameChild) {
  MutationSpace space;
  space.ops = {Op::add, Op::mul, Op::fma};
  Program a = trivial_program(test::xy_signature()), b = a;
  Rng r1 = Rng::stream(9, 1234), r2 = Rng::stream(9, 1234);
  for (int i = 0; i < 50; ++i) {
    mutate(a, space, r1);
    mutate(b, space, r2);
  }
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.code.empty());
}

TEST(Mutation, InsertKeepsTheNewInstructionLive) {
  MutationSpace space;
  space.ops = {Op::add, Op::mul};
  Rng rng(3);
  for (int i = 0; i < 200; ++i) {
    Program p = test::parse_xy("r1 = mul(x, 2)\nr2 = add(r1, x)\noutput y = r2\n");
    ASSERT_TRUE(mutate_insert(p, space, rng));
    EXPECT_GE(p.code.size(), 3u);
    for (bool l : live_instructions(p)) EXPECT_TRUE(l) << to_text(p);
  }
}

TEST(Mutation, PerturbMovesConstantsAtManyScales) {
  Rng rng(5);
  int coarse = 0, fine = 0;
  for (int i = 0; i < 2000; ++i) {
    const double d = std::fabs(perturb(1.0, rng) - 1.0);
    coarse += d > 1e-3;
    fine += d > 0 && d < 1e-9;
  }
  EXPECT_GT(coarse, 100);
  EXPECT_GT(fine, 100);
}

}  // namespace evo

namespace evo {

TEST(Mutation, FoldingConstantsKeepsResultsBitForBit) {
  const Program p = test::parse_xy(
      "a = const(3)\nb = div(a, 7)\nc = sqrt(b)\nd = mul(c, x)\ne = add(d, b)\noutput y = e\n");
  Program q = p;
  fold_constants(q, FoldPrecision::float64);
  EXPECT_EQ(q.code.size(), 4u);  // b and c folded, a dead: const(b), const(c), mul, add
  for (double x : {0.0, 0.3, -2.5, 1e10}) {
    auto run = [&](const Program& prog) {
      std::vector<double> reg(prog.num_registers());
      reg[0] = x;
      for (std::size_t i = 0; i < prog.code.size(); ++i) {
        const Instr& in = prog.code[i];
        double a[3] = {0, 0, 0};
        for (int k = 0; k < in.arity(); ++k) a[k] = in.args[k] == kImm ? in.imm : reg[in.args[k]];
        reg[prog.first_temp() + i] = eval_op(in.op, a[0], a[1], a[2]);
      }
      return reg[prog.outputs[0]];
    };
    EXPECT_EQ(run(p), run(q));
  }
  Program f = p;
  fold_constants(f, FoldPrecision::float32);
  // In float the folded value is sqrt computed in float, which differs from double's.
  EXPECT_NE(f.code[1].imm, q.code[1].imm);
  EXPECT_EQ(static_cast<double>(static_cast<float>(f.code[1].imm)), f.code[1].imm);
}

}  // namespace evo
