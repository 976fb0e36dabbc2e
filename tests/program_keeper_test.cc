#include "store/program_keeper.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace evo {
namespace {

const ProgramKeeper::Directions kObjectives = {{"error", true}, {"score", false}};

ProgramKeeper::Values values(double error, double score) { return {{"error", error}, {"score", score}}; }

TEST(ProgramKeeper, KeepsTheBestKTheFrontAndTheMembers) {
  ProgramKeeper keeper(1, kObjectives, kObjectives);
  keeper.admit(1, values(5, 1));
  keeper.admit(2, values(3, 1));  // the best
  keeper.admit(3, {});            // invalid
  keeper.admit(4, values(4, 9));  // not the best by error, but on the front (best score)
  keeper.admit(5, values(6, 0));  // dominated
  keeper.admit(6, values(3, 1));  // equal to 2: after it in the ranking, and not on the front
  EXPECT_EQ(keeper.release({5}), (std::vector<std::int64_t>{1, 3, 6}));  // 5 is a member
  EXPECT_EQ(keeper.held(), 3u);                                          // 2, 4, 5
  keeper.admit(7, values(1, 10));  // the best, and dominates 2 and 4
  EXPECT_EQ(keeper.release({}), (std::vector<std::int64_t>{2, 4, 5}));
  keeper.admit(8, values(2, 0));
  EXPECT_EQ(keeper.release({}), (std::vector<std::int64_t>{8}));
  EXPECT_EQ(keeper.release({}), std::vector<std::int64_t>{});  // nothing twice
  EXPECT_EQ(keeper.held(), 1u);
}

// What a resume sees: a keeper rebuilt from the candidates still held keeps exactly what
// the keeper that saw every candidate keeps, from then on.
TEST(ProgramKeeper, RebuiltFromWhatItHeldBehavesAsTheOriginal) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> small(0, 12);
  std::vector<ProgramKeeper::Values> all;
  for (int i = 0; i < 600; ++i)
    all.push_back(i % 7 == 3 ? ProgramKeeper::Values{} : values(small(rng), small(rng)));
  auto members_at = [&](int i) { return std::vector<std::int64_t>{i, i - 1, i - 5}; };

  ProgramKeeper whole(10, kObjectives, {{"error", true}});
  std::vector<std::int64_t> dropped_whole;
  std::vector<bool> held(all.size(), false);
  for (int i = 0; i < 300; ++i) {
    whole.admit(i, all[i]);
    held[i] = true;
    for (auto id : whole.release(members_at(i))) held[id] = false;
  }
  ProgramKeeper resumed(10, kObjectives, {{"error", true}});
  for (int i = 0; i < 300; ++i)
    if (held[i]) resumed.admit(i, all[i]);
  EXPECT_EQ(resumed.held(), whole.held());
  EXPECT_LT(whole.held(), 40u);
  for (int i = 300; i < 600; ++i) {
    whole.admit(i, all[i]);
    resumed.admit(i, all[i]);
    ASSERT_EQ(whole.release(members_at(i)), resumed.release(members_at(i))) << "after candidate " << i;
  }
}

}  // namespace
}  // namespace evo
