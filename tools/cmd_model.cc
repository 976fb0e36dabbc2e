// evo model: the dense models compression works on.
//   evo model train --out PATH [...]   train the residual MLP of evaluators/compression/
//                                       train_model.h on Fashion-MNIST and save it
//   evo model show PATH [--format]     its layers, sizes and metadata
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "evaluators/compression/model.h"
#include "evaluators/compression/train_model.h"
#include "search/errors.h"
#include "search/settings.h"
#include "tools/cli.h"

namespace evo::cli {
namespace {

int bounded(const po::variables_map& vm, const std::string& name, long lo, long hi) {
  const std::string text = vm[name].as<std::string>();
  long long v = 0;
  if (!parse_integer(text, v) || v < lo || v > hi)
    throw InputError("--" + name + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "], got '" + text + "'");
  return static_cast<int>(v);
}

int model_train(int argc, char** argv) {
  po::options_description opts("evo model train");
  compression::TrainOptions d;
  opts.add_options()
      ("out", po::value<std::string>(), "safetensors file to write")
      ("width", po::value<std::string>()->default_value(std::to_string(d.width)), "hidden width")
      ("blocks", po::value<std::string>()->default_value(std::to_string(d.blocks)),
       "residual layers (the model has blocks + 2 linear layers)")
      ("epochs", po::value<std::string>()->default_value(std::to_string(d.epochs)), "passes over the training split")
      ("batch", po::value<std::string>()->default_value(std::to_string(d.batch)), "mini-batch size")
      ("lr", po::value<std::string>()->default_value("0.001"), "Adam step size (cosine decay to 0)")
      ("train-size", po::value<std::string>()->default_value("0"), "use the first N training images (0 = all 50,000)")
      ("seed", po::value<std::string>()->default_value("1"), "initialisation and shuffling seed")
      ("quiet,q", "no per-epoch lines");
  po::variables_map vm;
  if (!parse(argc, argv, "evo model train --out PATH [--width N] [--blocks N] [--epochs N] ...", opts, vm)) return 0;
  if (!vm.count("out")) throw InputError("--out is required");
  compression::TrainOptions o;
  o.width = bounded(vm, "width", 1, 4096);
  o.blocks = bounded(vm, "blocks", 0, 256);
  o.epochs = bounded(vm, "epochs", 1, 1000);
  o.batch = bounded(vm, "batch", 1, 50000);
  o.train_size = bounded(vm, "train-size", 0, 50000);
  o.seed = positive_count(vm["seed"].as<std::string>(), "--seed");
  const std::string lr = vm["lr"].as<std::string>();
  if (!parse_real(lr, o.lr) || !(o.lr > 0) || o.lr > 1) throw InputError("--lr must be in (0, 1], got '" + lr + "'");
  if (o.train_size && o.train_size < o.batch)
    throw InputError("--train-size " + std::to_string(o.train_size) + " is below one batch of " + std::to_string(o.batch));
  const std::string out = vm["out"].as<std::string>();
  check_writable_before_work("--out", out);
  check_output_path("--out", out, "", {});
  const bool quiet = vm.count("quiet") > 0;

  auto trained = compression::train_fashion_model(o, [&](int epoch, double loss, double val) {
    if (!quiet) std::fprintf(stderr, "epoch %d/%d  train loss %.4f  validation accuracy %.4f\n", epoch, o.epochs, loss, val);
  });
  auto& meta = trained.model.metadata;
  meta = {{"format", "evo dense model"},
          {"trained_on", "Fashion-MNIST (standardised pixels, 50k/10k/10k split)"},
          {"train_images", std::to_string(o.train_size ? o.train_size : 50000)},
          {"test_accuracy", format_value(trained.test_accuracy)},
          {"validation_accuracy", format_value(trained.validation_accuracy)},
          {"seed", std::to_string(o.seed)},
          {"epochs", std::to_string(o.epochs)}};
  compression::save_model(out, trained.model);
  std::printf("%s: %zu linear layers, %ld parameters, validation accuracy %.4f, test accuracy %.4f\n", out.c_str(),
              trained.model.layers.size(), trained.model.parameters(), trained.validation_accuracy,
              trained.test_accuracy);
  return 0;
}

int model_show(int argc, char** argv) {
  po::options_description opts("evo model show");
  opts.add_options()("model", po::value<std::string>(), "safetensors file")(
      "format", po::value<std::string>()->default_value("table"), "table|json");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse(argc, argv, "evo model show PATH [--format table|json]", opts, vm, &pos)) return 0;
  if (!vm.count("model")) throw InputError("a model file is required");
  const Format fmt = format_option(vm, {"table", "json"});
  const compression::DenseModel m = compression::load_model(vm["model"].as<std::string>());
  if (fmt == Format::json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : m.layers)
      layers.push_back({{"inputs", l.weight.cols()}, {"outputs", l.weight.rows()}, {"residual", l.residual}});
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : m.metadata) meta[k] = v;
    std::cout << nlohmann::json{{"layers", layers}, {"parameters", m.parameters()}, {"metadata", meta}}.dump(2) << "\n";
    return 0;
  }
  std::printf("%-6s %8s %8s %10s  %s\n", "layer", "inputs", "outputs", "params", "residual");
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const auto& l = m.layers[i];
    std::printf("%-6zu %8ld %8ld %10ld  %s\n", i, static_cast<long>(l.weight.cols()), static_cast<long>(l.weight.rows()),
                static_cast<long>(l.weight.size() + l.bias.size()), l.residual ? "yes" : "no");
  }
  std::printf("%ld parameters\n", m.parameters());
  for (const auto& [k, v] : m.metadata) std::printf("%s: %s\n", k.c_str(), v.c_str());
  return 0;
}

}  // namespace

int cmd_model(int argc, char** argv) {
  const std::string what = argc >= 2 ? argv[1] : "";
  if (what == "train") return model_train(argc - 1, argv + 1);
  if (what == "show") return model_show(argc - 1, argv + 1);
  if (what == "-h" || what == "--help") {
    std::cout << "usage: evo model train --out PATH [options] | evo model show PATH\n";
    return 0;
  }
  throw InputError(what.empty() ? "a subcommand is required: train or show"
                                : "unknown subcommand '" + what + "' (train or show)");
}

}  // namespace evo::cli
