// SPDX-License-Identifier: GPL-3.0-or-later
// The built-in model's world: seeded scenes of one to three coloured shapes on a light background, each
// with a plain-English caption and the exact mask of every object. The truth is known, so DAAM's maps
// and the model's fidelity can be scored without annotators (daam-cli eval-shapes).
#pragma once

#include "daam/text/Tokenizer.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace daam::builtin {

enum class Shape { Circle, Square, Triangle, Star };
enum class Colour { Red, Green, Blue, Yellow, Purple, Orange };
constexpr int kShapeCount = 4;
constexpr int kColourCount = 6;

// splitmix64: a tiny, well-mixed hash, so that what is drawn for (seed, index) is independent of every other
// index; the world and the trainer derive their randomness from it.
uint64_t splitMix64(uint64_t x);

const char* shapeName(Shape shape);
const char* colourName(Colour colour);
// The colour's sRGB value; hues are far apart so that a pixel's colour names its object.
void colourRgb(Colour colour, uint8_t rgb[3]);
// The light background every scene is drawn on.
void backgroundRgb(uint8_t rgb[3]);

struct SceneObject {
    Shape shape = Shape::Circle;
    Colour colour = Colour::Red;
    float cx = 0, cy = 0; // centre, in pixels
    float radius = 0;     // circumradius, in pixels
    std::string phrase;   // its words in the caption ("a small red circle on the left")
};

struct Scene {
    int side = 0;
    std::vector<SceneObject> objects;
    std::string caption;
    torch::Tensor image; // uint8 [side, side, 3]
    torch::Tensor masks; // uint8 [objects, side, side]: 1 inside the object (pixel centres)
};

struct ShapeWorldOptions {
    int side = 64;
    int maxObjects = 3;
    double sizeWordChance = 0.3;     // chance that a clearly small or large object is called so
    double positionWordChance = 0.3; // likewise for an object clearly left/right/top/bottom
};

class ShapeWorld {
public:
    explicit ShapeWorld(uint64_t seed, ShapeWorldOptions options = {});
    // Scene number `index` of this world: the same seed and index always give the same scene.
    Scene scene(uint64_t index) const;
    const ShapeWorldOptions& options() const { return options_; }

private:
    uint64_t seed_;
    ShapeWorldOptions options_;
};

// Whether a caption belongs to the held-out split (about one in ten captions, by a hash of its text):
// the trainer skips these, the evaluation uses only these.
bool isHeldOut(const std::string& caption);

// Each object's own words in its scene's tokenized caption: its colour word and its noun, the next ones in
// caption order (indices into `words`; -1 where the caption does not name it so). The evaluation scores
// these words' maps and the trainer's grounding loss shapes them, so both pair words with objects alike.
struct ObjectWords {
    int colour = -1;
    int noun = -1;
};
std::vector<ObjectWords> objectWords(const std::vector<Word>& words, const std::vector<SceneObject>& objects);

// Draws `object` into image [side, side, 3] uint8 and returns its mask [side, side] uint8.
torch::Tensor drawObject(torch::Tensor& image, const SceneObject& object);

} // namespace daam::builtin
