// SPDX-License-Identifier: GPL-3.0-or-later
// daam-cli encode: a prompt's text embeddings, as the pipeline conditions the UNet on them.
#include "Args.h"
#include "Command.h"
#include "GenerationOptions.h"

#include "daam/config/ModelIndex.h"
#include "daam/io/Safetensors.h"
#include "daam/pipeline/PromptEncoder.h"
#include "daam/text/Tokenizer.h"

#include <torch/torch.h>

#include <cstdio>

namespace daam::cli {
namespace {

int runEncode(const std::vector<std::string>& argv) {
    Args args("encode",
              "Tokenize PROMPT and encode it with the model's text encoder(s); write the UNet's conditioning as\n"
              "tensor `text` (float32 [1, 77, D]; SDXL: both encoders' penultimate states side by side, plus\n"
              "`pooled` [1, P]) and the token ids as `input_ids` (int64 [1, 77]).",
              argv);
    args.option("model", "MODEL",
                "A diffusers folder, a single-file checkpoint, a hub repo id or a built-in model's id. Default: the "
                "built-in shapes-plain.");
    args.option("prompt", "TEXT", "The prompt.");
    args.option("out", "FILE", "Output .safetensors file (written atomically).");
    if (!args.parse()) return 0;
    const auto out = args.require("out");
    const auto prompt = args.require("prompt");
    const auto pipeline = StableDiffusionPipeline::load(modelFolder(args));
    const auto tokenized = pipeline->tokenizer().encode(prompt);
    // Kept as diffusers' encode_prompt keeps it (truncated), for comparisons; generate refuses such a prompt.
    if (tokenized.truncated)
        std::fprintf(stderr, "daam-cli encode: warning: the prompt has %d tokens; only the first %d are encoded\n",
                     tokenized.promptTokens, pipeline->tokenizer().promptCapacity());
    const auto ids = torch::tensor(tokenized.ids, torch::kInt64).unsqueeze(0);
    const auto embeddings = pipeline->encodePrompt(prompt);
    std::vector<std::pair<std::string, torch::Tensor>> tensors = {{"text", embeddings.hidden.contiguous()},
                                                                  {"input_ids", ids}};
    if (embeddings.pooled.defined()) tensors.emplace_back("pooled", embeddings.pooled.contiguous());
    saveSafetensors(out, tensors, {{"prompt", prompt}});
    return 0;
}

} // namespace
DAAM_CLI_COMMAND(encode, "encode", "Write a prompt's text embeddings ([1, 77, D]) to a .safetensors file.", runEncode);
} // namespace daam::cli
