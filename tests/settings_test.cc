#include "search/settings.h"

#include <gtest/gtest.h>

#include "search/errors.h"

namespace evo {

TEST(Settings, DefaultsFilledAndValuesChecked) {
  const std::vector<SettingSpec> specs = {
      {"n", "10", "a count", integer_in(1, 100)},
      {"mode", "a", "a mode", one_of({"a", "b"})},
      {"ops", "add,mul", "ops", list_of({"add", "mul", "sub"})},
      {"rate", "0.5", "a rate", real_in(0, 1)},
  };
  const Settings s = resolve_settings(specs, {{"n", "42"}}, "test");
  EXPECT_EQ(s.integer("n"), 42);
  EXPECT_EQ(s.str("mode"), "a");
  EXPECT_EQ(s.list("ops"), (std::vector<std::string>{"add", "mul"}));
  EXPECT_EQ(s.real("rate"), 0.5);

  EXPECT_THROW(resolve_settings(specs, {{"bogus", "1"}}, "test"), InputError);
  EXPECT_THROW(resolve_settings(specs, {{"n", "abc"}}, "test"), InputError);
  EXPECT_THROW(resolve_settings(specs, {{"n", "0"}}, "test"), InputError);
  EXPECT_THROW(resolve_settings(specs, {{"n", "5x"}}, "test"), InputError);
  EXPECT_THROW(resolve_settings(specs, {{"mode", "c"}}, "test"), InputError);
  EXPECT_THROW(resolve_settings(specs, {{"ops", "add,div"}}, "test"), InputError);
  EXPECT_THROW(resolve_settings(specs, {{"rate", "nan"}}, "test"), InputError);
  try {
    resolve_settings(specs, {{"bogus", "1"}}, "domain test");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("known: n, mode, ops, rate"), std::string::npos) << e.what();
  }
  // Bounds as a user would type them.
  const std::vector<SettingSpec> fine = {{"share", "0.5", "a share", real_in(0, 0.95)}};
  try {
    resolve_settings(fine, {{"share", "0.99"}}, "test");
    ADD_FAILURE() << "0.99 is above 0.95";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("must be between 0 and 0.95"), std::string::npos) << e.what();
  }
}

TEST(Settings, StrictNumberParsing) {
  long long i = 0;
  double d = 0;
  EXPECT_TRUE(parse_integer("-12", i));
  EXPECT_EQ(i, -12);
  EXPECT_FALSE(parse_integer("12.0", i));
  EXPECT_FALSE(parse_integer("", i));
  EXPECT_FALSE(parse_integer(" 1", i));
  EXPECT_TRUE(parse_real("0x1.8p+0", d));
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(parse_real("-2.5e-3", d));
  EXPECT_FALSE(parse_real("inf", d));
  EXPECT_FALSE(parse_real("1.5abc", d));
}

// A huge value is quoted by its start and size, so the error stays one readable line.
TEST(Settings, ALongBadValueIsQuotedShort) {
  const std::vector<SettingSpec> specs = {{"mode", "a", "a mode", one_of({"a", "b"})}};
  const std::string huge(100000, 'x');
  try {
    resolve_settings(specs, {{"mode", huge}}, "test");
    ADD_FAILURE() << "a value outside the choices is refused";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_LT(what.size(), 300u) << what.substr(0, 300);
    EXPECT_NE(what.find("(100000 bytes)"), std::string::npos) << what.substr(0, 300);
    EXPECT_NE(what.find("mode"), std::string::npos);
  }
  try {
    resolve_settings(specs, {{huge, "a"}}, "test");
    ADD_FAILURE() << "an unknown key is refused";
  } catch (const InputError& e) {
    EXPECT_LT(std::string(e.what()).size(), 300u);
  }
}

}  // namespace evo
