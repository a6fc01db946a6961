// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers shared by the tests: where the reference goldens are, and comparisons that explain themselves.
#pragma once

#include "daam/util/Error.h"

#include <torch/types.h>

#include <QString>
#include <exception>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>

namespace daam::test {

// ../shared/reference (or $DAAM_REFERENCE_DIR); empty when absent. When $DAAM_REQUIRE_REFERENCE is set (CI),
// an absent folder ends the test process with an error instead.
std::string referenceDir();
// Path under the reference dir, or "" when the reference is absent.
std::string referencePath(const std::string& relative);
// tests/data in the source tree.
std::string testDataDir();
// A fresh temporary directory, removed when the process exits normally.
std::string makeTempDir(const std::string& tag);

// Whether this build runs oneDNN's Winograd convolutions and this CPU has the AVX-512 level (F, BW, VL, DQ) that
// oneDNN's Winograd kernels need, read from the CPU itself.
bool winogradExpected();

// ‖out − ref‖ / ‖ref‖ computed in float64.
double relativeError(const torch::Tensor& out, const torch::Tensor& ref);

// Describes a mismatch: shapes, the relative error, the first values of each and the max difference.
QString describeDifference(const std::string& what, const torch::Tensor& out, const torch::Tensor& ref);

// One fragment an error message must contain: a std::string, a string literal or a QString.
struct MessageFragment {
    MessageFragment(const char* s) : text(s) {}
    MessageFragment(std::string s) : text(std::move(s)) {}
    MessageFragment(const QString& s) : text(s.toStdString()) {}
    std::string text;
};

// What DAAM_VERIFY_THROWS_NAMING reports: "" when `message` holds every fragment, else what was expected and the
// message. The other two describe a call that threw nothing or threw something else.
std::string describeMissingFragments(const char* errorType, const std::string& message,
                                     std::initializer_list<MessageFragment> fragments);
std::string describeNoThrow(const char* errorType, std::initializer_list<MessageFragment> fragments);
std::string describeOtherException(const char* errorType, const std::exception& thrown,
                                   std::initializer_list<MessageFragment> fragments);

} // namespace daam::test

// QSKIP unless the reference folder is present.
#define DAAM_REQUIRE_REFERENCE()                                                                                       \
    do {                                                                                                               \
        if (daam::test::referenceDir().empty()) QSKIP("../shared/reference is absent");                                \
    } while (0)

// Fails with a self-explaining message when the relative error exceeds `tol`.
#define DAAM_COMPARE_TENSORS(what, out, ref, tol)                                                                      \
    do {                                                                                                               \
        const double daamRelErr_ = daam::test::relativeError((out), (ref));                                            \
        if (!(daamRelErr_ <= (tol))) QFAIL(qPrintable(daam::test::describeDifference((what), (out), (ref))));          \
    } while (0)

// Fails the test, and returns from it as QVERIFY does, unless `statement` throws `ErrorType` (daam::Error or a
// subclass such as daam::FileError) whose what() contains every fragment (string literals, std::string, QString).
// Why: the project's rule is a short clear error naming the file and the problem, so a test of an error checks the
// words a user will read, not only that something was thrown; and one macro reports every failure alike: what was
// expected, and the error actually thrown (its type and text) or that none was.
#define DAAM_VERIFY_THROWS_NAMING(ErrorType, statement, ...)                                                           \
    do {                                                                                                               \
        static_assert(std::is_base_of_v<daam::Error, ErrorType>, "DAAM_VERIFY_THROWS_NAMING checks daam::Error");      \
        std::string daamThrowsFailure_;                                                                                \
        try {                                                                                                          \
            statement;                                                                                                 \
            daamThrowsFailure_ = daam::test::describeNoThrow(#ErrorType, {__VA_ARGS__});                               \
        } catch (const ErrorType& daamError_) {                                                                        \
            daamThrowsFailure_ = daam::test::describeMissingFragments(#ErrorType, daamError_.what(), {__VA_ARGS__});   \
        } catch (const std::exception& daamOther_) {                                                                   \
            daamThrowsFailure_ = daam::test::describeOtherException(#ErrorType, daamOther_, {__VA_ARGS__});            \
        }                                                                                                              \
        if (!daamThrowsFailure_.empty()) {                                                                             \
            QTest::qFail(daamThrowsFailure_.c_str(), __FILE__, __LINE__);                                              \
            return;                                                                                                    \
        }                                                                                                              \
    } while (false)
