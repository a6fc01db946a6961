// SPDX-License-Identifier: GPL-3.0-or-later
// Many QtTest classes in one executable: each test file registers its class under its file's name
// (test_measures.cpp registers "test_measures"), and TestMain.cpp runs the one its first argument names, as the
// file's own QTEST_*_MAIN would have. One executable per layer compiles LibTorch's headers a few times instead
// of once per test file (see tests/CMakeLists.txt); CTest still runs every test file in a process of its own.
#pragma once

#include <QtTest>

namespace daam::test {

using TestRunner = int (*)(int argc, char** argv);
// Registers `run` under the stem of `sourceFile`; always true (it initializes a namespace-scope flag).
bool registerTest(const char* sourceFile, TestRunner run);

} // namespace daam::test

// The body of Qt's QTEST_MAIN_WRAPPER, as a registered function instead of main().
#define DAAM_TEST_MAIN_WRAPPER(TestObject, ...)                                                                        \
    namespace {                                                                                                        \
    int daamRunTest##TestObject(int argc, char* argv[]) {                                                              \
        QT_PREPEND_NAMESPACE(QTest::Internal::callInitMain)<TestObject>();                                             \
        __VA_ARGS__                                                                                                    \
        TestObject tc;                                                                                                 \
        QTEST_SET_MAIN_SOURCE_PATH                                                                                     \
        return QTest::qExec(&tc, argc, argv);                                                                          \
    }                                                                                                                  \
    const bool daamRegistered##TestObject = daam::test::registerTest(__FILE__, daamRunTest##TestObject);               \
    }

// Drop-in replacements for QTEST_APPLESS_MAIN, QTEST_GUILESS_MAIN and QTEST_MAIN.
#define DAAM_TEST_APPLESS_MAIN(TestObject) DAAM_TEST_MAIN_WRAPPER(TestObject)
#define DAAM_TEST_GUILESS_MAIN(TestObject) DAAM_TEST_MAIN_WRAPPER(TestObject, QTEST_QAPP_SETUP(QCoreApplication))
#define DAAM_TEST_MAIN(TestObject) DAAM_TEST_MAIN_WRAPPER(TestObject, QTEST_MAIN_SETUP())
