// SPDX-License-Identifier: GPL-3.0-or-later
// The one way to do "latest request wins" background work. A tracker is a channel of requests: each begin()
// hands out a ticket and makes every earlier ticket of the channel stale, so a reply that comes back after a
// newer request is dropped instead of overwriting what the newer one shows. run() does the usual round trip:
// the work on a thread pool, its result back on the receiver's thread, delivered only while still the latest.
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <type_traits>
#include <utility>

namespace daam::ui {

class JobTracker {
public:
    // One request's place in its channel. Copies may be checked on any thread: a worker that looks at its
    // ticket can stop early once a newer request has made its work pointless.
    class Ticket {
    public:
        Ticket() = default;
        bool isLatest() const { return latest_ && latest_->load() == serial_; }

    private:
        friend class JobTracker;
        Ticket(std::shared_ptr<const std::atomic<int>> latest, int serial)
            : latest_(std::move(latest)), serial_(serial) {}
        // Shared, not the tracker's own: a worker may still hold its ticket while the tracker goes away.
        std::shared_ptr<const std::atomic<int>> latest_;
        int serial_ = 0;
    };

    // A new request; every ticket begun before it is stale from now on.
    Ticket begin() { return Ticket(latest_, ++*latest_); }
    // Makes every request begun so far stale without starting one (something else now stands in their place).
    void supersede() { ++*latest_; }
    // How many requests have begun (supersede() counts as one).
    int begun() const { return latest_->load(); }
    // Whether a job that run() started has not come back yet (delivered or dropped).
    bool isBusy() const { return inFlight_ > 0; }

    // Begins a request and runs `work` on `pool`; `deliver(result)` then runs on `receiver`'s thread, unless a
    // newer request has begun by then. `work` may take the ticket (`work(const Ticket&)`) to stop early when
    // superseded. The result is copied across threads: keep it small or shared. The tracker and `receiver` must
    // outlive the reply: make the tracker a member of `receiver`, whose destructor waits for `pool` (a reply
    // posted to a receiver that is gone is dropped with it).
    template <typename Work, typename Deliver>
    Ticket run(QThreadPool& pool, QObject* receiver, Work work, Deliver deliver) {
        Ticket ticket = begin();
        ++inFlight_;
        pool.start([this, receiver, ticket, work = std::move(work), deliver = std::move(deliver)]() mutable {
            auto result = [&] {
                if constexpr (std::is_invocable_v<Work&, const Ticket&>)
                    return work(ticket);
                else
                    return work();
            }();
            QMetaObject::invokeMethod(
                receiver,
                [this, ticket, deliver = std::move(deliver), result = std::move(result)]() mutable {
                    --inFlight_;
                    if (ticket.isLatest()) deliver(std::move(result));
                },
                Qt::QueuedConnection);
        });
        return ticket;
    }

private:
    std::shared_ptr<std::atomic<int>> latest_ = std::make_shared<std::atomic<int>>(0);
    int inFlight_ = 0; // touched on the receiver's thread only
};

} // namespace daam::ui
