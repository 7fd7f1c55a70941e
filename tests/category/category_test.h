// Shared by the category tests: the names every test file uses.
#pragma once

#include <gtest/gtest.h>

#include "factorkit/category/diagram.h"

namespace fc = factorkit::category;
using fc::Box;
using fc::Diagram;
using fc::Ob;
using fc::Ty;
