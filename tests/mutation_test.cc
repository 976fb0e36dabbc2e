#include "search/mutation.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "tests/test_programs.h"

namespace evo {

TEST(Mutation, AlwaysYieldsValidProgramsWithoutDeadCode) {
  MutationSpace space;
  space.ops = {Op::add, Op::sub, Op::mul, Op::div, Op::fma, Op::sqrt, Op::neg, Op::min};
  space.max_instructions = 16;
  std::map<MutationKind, int> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    space.fan_out_chance = seed % 2 ? 0.5 : 0.0;
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

// x*x reads x twice. An ordinary insert on one of those edges changes one use of x; a
// fan-out insert changes both, so the product stays a square.
TEST(Mutation, FanOutInsertChangesEveryUseOfTheValue) {
  MutationSpace space;
  space.ops = {Op::add, Op::sub, Op::div};
  auto squares_of_new_values = [&](double fan_out, int& squares, int& mixed) {
    space.fan_out_chance = fan_out;
    squares = mixed = 0;
    Rng rng(11);
    for (int i = 0; i < 300; ++i) {
      Program p = test::parse_xy("r1 = mul(x, x)\noutput y = r1\n");
      ASSERT_TRUE(mutate_insert(p, space, rng));
      ASSERT_EQ(validation_error(p), "") << to_text(p);
      for (bool l : live_instructions(p)) ASSERT_TRUE(l) << to_text(p);
      for (const Instr& in : p.code) {
        if (in.op != Op::mul || in.args[0] == 0) continue;  // register 0 is x
        (in.args[0] == in.args[1] ? squares : mixed) += 1;
      }
    }
  };
  int squares = 0, mixed = 0;
  squares_of_new_values(1.0, squares, mixed);
  EXPECT_GT(squares, 50);
  EXPECT_EQ(mixed, 0);
  squares_of_new_values(0.0, squares, mixed);
  EXPECT_GT(mixed, 50);
}

// With another_mutation_chance, children lie further from their parent: more of them
// differ in size by two instructions or more than single mutations make.
TEST(Mutation, AnotherMutationTakesSeveralStepsInOneChild) {
  MutationSpace space;
  space.ops = {Op::add, Op::mul};
  space.max_instructions = 16;
  const Program parent = test::parse_xy("r1 = mul(x, 2)\nr2 = add(r1, x)\noutput y = r2\n");
  auto far_children = [&](double chance) {
    space.another_mutation_chance = chance;
    Rng rng(17);
    int far = 0;
    for (int i = 0; i < 1000; ++i) {
      Program child = parent;
      mutate(child, space, rng);
      EXPECT_EQ(validation_error(child), "") << to_text(child);
      far += std::abs(static_cast<int>(child.code.size()) - static_cast<int>(parent.code.size())) >= 2;
    }
    return far;
  };
  const int single = far_children(0.0), several = far_children(0.75);
  EXPECT_GT(several, 100);
  EXPECT_GT(several, 2 * single);
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
