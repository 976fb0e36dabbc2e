#include "search/selection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace evo {
namespace {

Member member(std::int64_t birth, double error, double cost, bool valid = true) {
  Member m;
  m.id = birth + 1;
  m.birth = birth;
  m.valid = valid;
  if (valid) m.objectives = {error, cost};
  return m;
}

const std::vector<ObjectiveSpec> kObjectives = {{"error", true, true, ""}, {"cost", true, false, ""}};

}  // namespace

TEST(Selection, ParetoOrderRanksFrontsAndCrowding) {
  std::deque<Member> pop = {
      member(0, 1.0, 1),   // front 0 (cheapest)
      member(1, 0.5, 2),   // front 0
      member(2, 0.1, 5),   // front 0 (most accurate)
      member(3, 0.6, 3),   // dominated by (0.5, 2): front 1
      member(4, 2.0, 1),   // dominated by (1.0, 1): front 1
      member(5, 0, 0, false),  // invalid: last
  };
  const ParetoOrder o = pareto_order(pop, kObjectives);
  EXPECT_EQ(o.rank, (std::vector<int>{0, 0, 0, 1, 1, 2}));
  EXPECT_TRUE(std::isinf(o.crowding[0]));
  EXPECT_TRUE(std::isinf(o.crowding[2]));
  EXPECT_GT(o.crowding[1], 0.0);
  EXPECT_FALSE(std::isinf(o.crowding[1]));
  EXPECT_TRUE(o.better(1, 3, pop));  // lower rank wins
  EXPECT_TRUE(o.better(0, 1, pop));  // same rank: the extreme (infinite crowding) wins
}

TEST(Selection, Nsga2SurvivorsKeepTheFrontInBirthOrder) {
  std::deque<Member> pop = {member(0, 1.0, 1), member(1, 0.6, 3), member(2, 0.5, 2), member(3, 2.0, 1),
                            member(4, 0.1, 5), member(5, 0, 0, false)};
  nsga2_survivors(pop, 3, kObjectives);
  ASSERT_EQ(pop.size(), 3u);
  EXPECT_EQ(pop[0].birth, 0);
  EXPECT_EQ(pop[1].birth, 2);
  EXPECT_EQ(pop[2].birth, 4);
}

TEST(Selection, RegularizedTournamentPrefersTheBetterMember) {
  std::deque<Member> pop = {member(0, 1.0, 1), member(1, 0.1, 9), member(2, 0.5, 2)};
  Ranking ranking(kObjectives);
  Rng rng(1);
  int wins = 0;
  for (int i = 0; i < 1000; ++i) wins += tournament(pop, 3, ranking, rng) == 1;
  EXPECT_GT(wins, 600);  // drawn at least once in ~70 % of 3-draw tournaments
}

}  // namespace evo

namespace evo {

TEST(Selection, ObjectivesThatDoNotSteerAreLeftOut) {
  // Three objectives; the third is recorded but does not steer.
  std::vector<ObjectiveSpec> specs = {{"error", true, true, ""}, {"time", true, true, ""}, {"cost", true, false, ""}};
  specs[2].steers = false;
  auto m3 = [](std::int64_t birth, double e, double t, double c) {
    Member m = member(birth, e, t);
    m.objectives.push_back(c);
    return m;
  };
  // (0.5, 2, cost 9) dominates (0.6, 3, cost 1) once cost is left out.
  std::deque<Member> pop = {m3(0, 0.5, 2, 9), m3(1, 0.6, 3, 1)};
  EXPECT_EQ(pareto_order(pop, specs).rank, (std::vector<int>{0, 1}));
  specs[2].steers = true;
  EXPECT_EQ(pareto_order(pop, specs).rank, (std::vector<int>{0, 0}));

  // Regularized ranking: equal error and time, so only a steering cost could decide.
  std::vector<ObjectiveSpec> two = {{"error", true, true, ""}, {"cost", true, false, ""}};
  two[1].steers = false;
  const Member older = member(0, 0.5, 1), younger = member(1, 0.5, 9);
  EXPECT_TRUE(Ranking(two).better(younger, older));   // tie on error: the younger wins
  two[1].steers = true;
  EXPECT_TRUE(Ranking(two).better(older, younger));   // the cheaper wins
}

}  // namespace evo

namespace evo {

TEST(Selection, Nsga2SurvivorsKeepOneMemberPerFunction) {
  // Members 0 and 1 compute the same function (same hash, same objectives); 2 is worse but
  // distinct. Keeping two, the copy goes and the distinct program stays.
  std::deque<Member> pop = {member(0, 0.1, 5), member(1, 0.1, 5), member(2, 0.5, 6)};
  pop[0].fhash = pop[1].fhash = Hash128{7, 7};
  pop[2].fhash = Hash128{8, 8};
  nsga2_survivors(pop, 2, kObjectives);
  ASSERT_EQ(pop.size(), 2u);
  EXPECT_EQ(pop[0].fhash, (Hash128{7, 7}));
  EXPECT_EQ(pop[1].birth, 2);
  // With nothing distinct left to keep, copies fill the places.
  std::deque<Member> twins = {member(0, 0.1, 5), member(1, 0.1, 5), member(2, 0.1, 5)};
  for (auto& m : twins) m.fhash = Hash128{7, 7};
  nsga2_survivors(twins, 2, kObjectives);
  EXPECT_EQ(twins.size(), 2u);
}

}  // namespace evo

namespace evo {

// cost=time's objectives: error and time steer, op cost does not, except that members whose
// time is +Inf (over the error bound, never timed) are ranked among themselves by cost.
TEST(Selection, UnmeasuredObjectivesFallBackToAnotherAmongThemselves) {
  std::vector<ObjectiveSpec> specs = {{"error", true, true, ""}, {"time", true, true, ""}, {"cost", true, false, ""}};
  specs[2].steers = false;
  specs[1].unmeasured_by = 2;
  const double inf = std::numeric_limits<double>::infinity();
  auto m3 = [](std::int64_t birth, double e, double t, double c) {
    Member m = member(birth, e, t);
    m.objectives.push_back(c);
    return m;
  };
  std::deque<Member> pop = {m3(0, 0.5, inf, 9), m3(1, 0.8, inf, 3), m3(2, 0.9, inf, 5), m3(3, 0.7, inf, 6)};
  // (0.5, 9), (0.7, 6), (0.8, 3) trade error against cost; (0.9, 5) is dominated by (0.8, 3).
  const ParetoOrder o = pareto_order(pop, specs);
  EXPECT_EQ(o.rank, (std::vector<int>{0, 0, 1, 0}));
  // Crowding on cost within the all-untimed front: the middle member's is finite and positive.
  EXPECT_TRUE(std::isinf(o.crowding[0]) && std::isinf(o.crowding[1]));
  EXPECT_GT(o.crowding[3], 0.0);
  EXPECT_FALSE(std::isinf(o.crowding[3]));
  // Without the fallback every time ties at +Inf: the front is the most accurate member alone.
  specs[1].unmeasured_by.reset();
  EXPECT_EQ(pareto_order(pop, specs).rank, (std::vector<int>{0, 2, 3, 1}));
  specs[1].unmeasured_by = 2;

  // A timed member (finite time) comes before every untimed one in that objective, whatever
  // the costs: within the bound it also has the lower error, so it dominates them all.
  pop.push_back(m3(4, 0.4, 1.2, 20));
  EXPECT_EQ(pareto_order(pop, specs).rank, (std::vector<int>{1, 1, 2, 1, 0}));
  EXPECT_EQ(compare_objective(pop[4].objectives, pop[1].objectives, 1, specs), -1);
  EXPECT_EQ(compare_objective(pop[1].objectives, pop[2].objectives, 1, specs), -1);  // cost 3 < 5
  EXPECT_EQ(compare_objective(pop[2].objectives, pop[1].objectives, 1, specs), 1);

  // The regularized ranking breaks a tie in error the same way.
  const Ranking ranking(specs);
  EXPECT_TRUE(ranking.better(m3(5, 0.5, inf, 3), m3(6, 0.5, inf, 9)));
  EXPECT_FALSE(ranking.better(m3(5, 0.5, inf, 9), m3(6, 0.5, inf, 3)));
}

}  // namespace evo
