// The Fashion-MNIST tasks (fashion_data.h has the splits; networks.h the models). Every
// task trains from He-initialised weights of a fixed seed on minibatches drawn, with
// replacement, by a fixed seed per step; its validation loss is over the first
// `validation_rows` validation images, its test loss over all 10,000 test images.
//
//   small, for the search (inputs: a fixed random projection of the pixels to 32 features)
//     fmnist_logreg    logistic regression, 330 parameters, batch 32, 200 steps
//     fmnist_mlp       MLP 32-32-10 (ReLU), 1,386 parameters, batch 32, 200 steps
//   large, for the funnel (inputs: all 784 pixels)
//     fmnist_mlp_deep  MLP 784-64-32-10, 52,650 parameters, batch 64, 300 steps
//     fmnist_cnn       8 5x5 convolutions, 2x2 max-pool, dense; 11,738 parameters, batch 32,
//                      300 steps
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "evaluators/optimizer/tasks.h"

namespace evo::optimizer {

std::vector<std::string> fashion_task_names();
// nullptr when `name` is not a Fashion-MNIST task; InputError when the dataset is missing.
std::unique_ptr<Task> make_fashion_task(const std::string& name);

}  // namespace evo::optimizer
