#include <voxflow/pipeline/yaml_expansion.hpp>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace voxflow::pipeline {

namespace {

// Sums node counts up the open collections; an alias adds the count its anchor's node had when it closed.
// Counts saturate at limit + 1, so nested aliases cannot overflow them; an alias to an anchor whose node is
// still open is a cycle.
class ExpansionCounter final : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(std::size_t limit) : cap_(limit + 1) { open_.push_back({YAML::NullAnchor, 0}); }

  YamlExpansion result() const { return {open_.front().nodes, cyclic_}; }

  void OnDocumentStart(YAML::Mark const&) override {}
  void OnDocumentEnd() override {}
  void OnNull(YAML::Mark const&, YAML::anchor_t anchor) override { close(anchor, 1); }
  // yaml-cpp refuses an alias to an anchor not yet defined, so `anchor` names one seen before.
  void OnAlias(YAML::Mark const&, YAML::anchor_t anchor) override {
    Anchored const& named = anchored(anchor);
    cyclic_ = cyclic_ || named.open;
    add(named.nodes);
  }
  void OnScalar(YAML::Mark const&, std::string const&, YAML::anchor_t anchor, std::string const&) override {
    close(anchor, 1);
  }
  void OnSequenceStart(YAML::Mark const&, std::string const&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    start_collection(anchor);
  }
  void OnSequenceEnd() override { end_collection(); }
  void OnMapStart(YAML::Mark const&, std::string const&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    start_collection(anchor);
  }
  void OnMapEnd() override { end_collection(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    std::size_t nodes;
  };
  struct Anchored {
    std::size_t nodes = 1;
    bool open = false;
  };

  std::size_t saturated(std::size_t a, std::size_t b) const { return std::min(cap_, a + std::min(cap_, b)); }
  void add(std::size_t nodes) { open_.back().nodes = saturated(open_.back().nodes, nodes); }
  // yaml-cpp numbers anchors from 1, in document order.
  Anchored& anchored(YAML::anchor_t anchor) {
    if (anchored_.size() <= anchor) anchored_.resize(anchor + 1);
    return anchored_[anchor];
  }
  void start_collection(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) anchored(anchor).open = true;
    open_.push_back({anchor, 1});
  }
  // A node of `nodes` values ends: remembered under its anchor, then counted in the collection around it.
  void close(YAML::anchor_t anchor, std::size_t nodes) {
    if (anchor != YAML::NullAnchor) anchored(anchor) = {nodes, false};
    add(nodes);
  }
  void end_collection() {
    Open const done = open_.back();
    open_.pop_back();
    close(done.anchor, done.nodes);
  }

  std::size_t cap_;
  std::vector<Open> open_;
  std::vector<Anchored> anchored_;
  bool cyclic_ = false;
};

}  // namespace

YamlExpansion expanded_yaml_nodes(std::string const& text, std::size_t limit) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  ExpansionCounter counter(limit);
  parser.HandleNextDocument(counter);
  return counter.result();
}

}  // namespace voxflow::pipeline
