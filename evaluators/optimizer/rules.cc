#include "evaluators/optimizer/rules.h"

#include <cmath>
#include <cstdio>

#include "search/errors.h"
#include "search/program_text.h"

namespace evo::optimizer {
namespace {

using C = SeedConstants;

std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

const std::string kHeader = "input g\ninput w\ninput lr\ninput t\ninput wd\nstate m\nstate v\n";

// Adam's moments with bias correction; `decoupled` applies weight decay to the update
// (AdamW) instead of adding it to the gradient (Adam with L2 regularisation).
std::string adam_text(bool decoupled) {
  std::string s = kHeader;
  std::string grad = "g";
  if (!decoupled) s += "gd = fma(wd, w, g)\n", grad = "gd";
  s += "m1 = interp(" + grad + ", m, " + hex(C::beta1) + ")\n";  // b1 m + (1 - b1) g
  s += "g2 = square(" + grad + ")\n";
  s += "v1 = interp(g2, v, " + hex(C::beta2) + ")\n";  // b2 v + (1 - b2) g^2
  s += "l1 = mul(t, " + hex(std::log(C::beta1)) + ")\n";  // b1^t = exp(t ln b1)
  s += "p1 = exp(l1)\n";
  s += "c1 = sub(0x1p+0, p1)\n";
  s += "mh = div(m1, c1)\n";
  s += "l2 = mul(t, " + hex(std::log(C::beta2)) + ")\n";
  s += "p2 = exp(l2)\n";
  s += "c2 = sub(0x1p+0, p2)\n";
  s += "vh = div(v1, c2)\n";
  s += "sd = sqrt(vh)\n";
  s += "den = add(sd, " + hex(C::eps) + ")\n";
  s += "dir = div(mh, den)\n";
  std::string step = "dir";
  if (decoupled) s += "dw = fma(wd, w, dir)\n", step = "dw";
  s += "u1 = mul(lr, " + step + ")\n";
  s += "output u = u1\nupdate m = m1\nupdate v = v1\n";
  return s;
}

std::string text_of(const std::string& name) {
  if (name == "sgd")  // u = lr (g + wd w)
    return kHeader + "gd = fma(wd, w, g)\nu1 = mul(lr, gd)\noutput u = u1\nupdate m = m\nupdate v = v\n";
  if (name == "momentum")  // m' = mu m + (g + wd w); u = lr m'
    return kHeader + "gd = fma(wd, w, g)\nm1 = fma(m, " + hex(C::momentum) +
           ", gd)\nu1 = mul(lr, m1)\noutput u = u1\nupdate m = m1\nupdate v = v\n";
  if (name == "adam") return adam_text(false);
  if (name == "adamw") return adam_text(true);
  if (name == "lion")  // u = lr (sign(b1 m + (1 - b1) g) + wd w); m' = b2 m + (1 - b2) g
    return kHeader + "c = interp(g, m, " + hex(C::lion_beta1) + ")\ns = sign(c)\nsw = fma(wd, w, s)\n" +
           "u1 = mul(lr, sw)\nm1 = interp(g, m, " + hex(C::lion_beta2) + ")\noutput u = u1\nupdate m = m1\n" +
           "update v = v\n";
  return {};
}

}  // namespace

const Signature* rule_signature() {
  static const Signature* sig = intern_signature(Signature{{"g", "w", "lr", "t", "wd"}, {"m", "v"}, {"u"}});
  return sig;
}

std::vector<std::string> seed_names() { return {"sgd", "momentum", "adam", "adamw", "lion"}; }

Program seed_program(const std::string& name) {
  const std::string text = text_of(name);
  if (text.empty()) throw InputError("unknown optimizer '" + name + "' (known: sgd, momentum, adam, adamw, lion)");
  return parse_program(text, rule_signature());
}

}  // namespace evo::optimizer
