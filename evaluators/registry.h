// The list of domains `evo` knows. Building a domain goes through make_domain(), which
// checks the settings first: a domain never sees an unknown key or a malformed value.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "search/domain.h"
#include "search/settings.h"

namespace evo {

struct DomainEntry {
  std::string name;
  std::string summary;
  std::function<std::vector<SettingSpec>()> settings;
  std::function<std::unique_ptr<Domain>(const Settings&)> make;
  // The objectives, for domains that cannot be built from their defaults alone (e.g. one
  // that needs a model file); empty: ask a domain built with default settings.
  std::function<std::vector<ObjectiveSpec>()> objectives = {};
  // Settings added after runs were already stored, with the value that keeps such a run as it
  // was: a stored run holds every setting of its day, so a key it lacks predates the setting,
  // and its resume must not pick up a newer default.
  std::map<std::string, std::string> before_added = {};
};

// A domain's objectives as `evo domains` lists them.
std::vector<ObjectiveSpec> listed_objectives(const DomainEntry& entry);

const std::vector<DomainEntry>& domain_registry();
const DomainEntry* find_domain(const std::string& name);

// Throws InputError for an unknown domain, an unknown setting or a bad value.
std::unique_ptr<Domain> make_domain(const std::string& name, const std::map<std::string, std::string>& settings);

// For settings a user typed: throws InputError for a setting typed as its default's text
// where the domain uses another value (Domain::settings_in_use), which the domain cannot
// tell from the default left alone, rather than ignore it. Not for a stored run's settings,
// which resume as they were made.
void refuse_replaced_settings(const Domain& domain, const std::map<std::string, std::string>& given);

}  // namespace evo
