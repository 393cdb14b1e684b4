// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_zcopy: where a device's requests and events are processed.
 *
 * A device bound to a VMM (bind_mm, VA mode) is served by a vhost_task
 * that the VMM's own ioctl creates: a thread of the VMM, with its mm, its
 * credentials, rlimits and cgroups.  The VMM then pays for what its guest
 * asks for: the CPU time of zeroing and copies, the memory of engine
 * buffers and page tables; and its rlimits and LSM apply to the vm_mmap
 * and fallocate of the in-place swap, as with vhost.  A VMM killed takes
 * the thread with it.  A device without a VMM (virtio_vdpa, PA mode), or
 * on a kernel without vhost_task, is served by a kthread worker of its
 * own, which adopts the bound mm and its memory cgroup for each run.
 *
 * Either way one run at a time processes the device (rz->lock), a
 * bounded batch per run.
 */

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>

#include "rdma_zcopy.h"

#if CDMA_HAVE_VHOST_TASK
#include <linux/sched/vhost_task.h>
#endif

/* rz_dev.task_pending: a run is due in the task */
#define RZ_TASK_PENDING	0

/*
 * One run: up to RZ_BATCH requests and RZ_BATCH events, so that requests
 * and events take turns.  Returns whether work is left.
 */
static bool rz_run(struct rz_dev *rz)
{
	struct mm_struct *mm = NULL;
	struct rz_mm_scope scope;
	bool adopted = false;
	bool more = false;

	mutex_lock(&rz->lock);
	if (!rz->running)
		goto unlock;
	if (rz->mode == RZ_MODE_VA) {
		/* Without the VMM's address space no ring can be read. */
		if (!rz->mm || !mmget_not_zero(rz->mm))
			goto unlock;
		mm = rz->mm;
		/* A thread of the VMM is in its mm, on its account already. */
		adopted = current->mm != mm;
		if (adopted)
			rz_mm_enter(&scope, mm);
	} else if (rz->mode != RZ_MODE_PA) {
		goto unlock;
	}

	WRITE_ONCE(rz->runner, current);
	more = rz_process_requests(rz, RZ_BATCH);
	more |= rz_deliver_events(rz, RZ_BATCH);
	WRITE_ONCE(rz->runner, NULL);

	if (adopted)
		rz_mm_leave(&scope);
unlock:
	mutex_unlock(&rz->lock);
	if (mm)
		mmput(mm);
	return more;
}

/* A run in the kthread worker; queues the next one while work is left. */
static void rz_work_fn(struct kthread_work *work)
{
	struct rz_dev *rz = container_of(work, struct rz_dev, work);

	if (rz_run(rz))
		rz_schedule(rz);
}

/**
 * rz_schedule() - have the device processed
 * @rz: the device
 *
 * Callable from any context that may take a spinlock.
 */
void rz_schedule(struct rz_dev *rz)
{
	unsigned long flags;

	spin_lock_irqsave(&rz->task_lock, flags);
#if CDMA_HAVE_VHOST_TASK
	if (rz->task) {
		set_bit(RZ_TASK_PENDING, &rz->task_pending);
		vhost_task_wake(rz->task);
		spin_unlock_irqrestore(&rz->task_lock, flags);
		return;
	}
#endif
	kthread_queue_work(rz->worker, &rz->work);
	spin_unlock_irqrestore(&rz->task_lock, flags);
}

/**
 * rz_worker_init() - create the device's kthread worker
 * @rz: the device, its task_lock initialised
 * @name: its name
 *
 * Return: 0 or a negative errno.
 */
int rz_worker_init(struct rz_dev *rz, const char *name)
{
	kthread_init_work(&rz->work, rz_work_fn);
	rz->worker = kthread_create_worker(0, "rdma_zcopy/%s", name);
	if (IS_ERR(rz->worker)) {
		int ret = PTR_ERR(rz->worker);

		rz->worker = NULL;
		return ret;
	}
	return 0;
}

#if CDMA_HAVE_VHOST_TASK
/* The VMM's thread: one run per call while runs are due. */
static bool rz_task_fn(void *data)
{
	struct rz_dev *rz = data;

	if (!test_and_clear_bit(RZ_TASK_PENDING, &rz->task_pending))
		return false;	/* it sleeps until woken */
	__set_current_state(TASK_RUNNING);
	if (rz_run(rz))
		set_bit(RZ_TASK_PENDING, &rz->task_pending);
	return true;
}

/*
 * The VMM is killed: the thread is gone, after its last run.  Wake-ups
 * now reach no one; the release of the VMM's file unbinds the mm and
 * resets the device.
 */
static void rz_task_killed(void *data)
{
}

/**
 * rz_worker_bind() - serve the device from a thread of the calling VMM
 * @rz: the device
 *
 * Called by the VMM's bind_mm ioctl: the thread is a copy of the caller.
 *
 * Return: 0 or a negative errno.
 */
int rz_worker_bind(struct rz_dev *rz)
{
	char name[TASK_COMM_LEN];
	struct vhost_task *task;

	rz_worker_unbind(rz);
	snprintf(name, sizeof(name), "rz-%s", dev_name(&rz->vdpa.dev));
	task = vhost_task_create(rz_task_fn, rz_task_killed, rz, name);
	if (IS_ERR(task))
		return PTR_ERR(task);
	vhost_task_start(task);
	spin_lock_irq(&rz->task_lock);
	rz->task = task;
	spin_unlock_irq(&rz->task_lock);
	/* What the kthread worker had queued is the task's now. */
	rz_schedule(rz);
	return 0;
}

/**
 * rz_worker_unbind() - end the VMM's thread
 * @rz: the device
 *
 * Waits for its run in progress; later runs go to the kthread worker.
 * Must not be called with @rz->lock held.
 */
void rz_worker_unbind(struct rz_dev *rz)
{
	struct vhost_task *task;

	spin_lock_irq(&rz->task_lock);
	task = rz->task;
	rz->task = NULL;
	spin_unlock_irq(&rz->task_lock);
	if (!task)
		return;
	vhost_task_stop(task);
	if (test_and_clear_bit(RZ_TASK_PENDING, &rz->task_pending))
		rz_schedule(rz);
}
#else
int rz_worker_bind(struct rz_dev *rz)
{
	return 0;
}

void rz_worker_unbind(struct rz_dev *rz)
{
}
#endif

/**
 * rz_worker_exit() - stop every worker of the device
 * @rz: the device, whose processing has ended (not running)
 */
void rz_worker_exit(struct rz_dev *rz)
{
	rz_worker_unbind(rz);
	if (rz->worker) {
		kthread_cancel_work_sync(&rz->work);
		kthread_destroy_worker(rz->worker);
		rz->worker = NULL;
	}
}
