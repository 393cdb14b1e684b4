// SPDX-License-Identifier: GPL-2.0
/*
 * cdma_soft: tenants, who pay for the node's shared resources.
 *
 * The node's segment table (65535 exports) is shared by everyone; each
 * tenant may hold max_exports of them, so that no one tenant fills it.
 * A native context belongs to the real user of the process that created
 * it (all of a user's open files are one tenant, as for RLIMIT_NPROC); a
 * client such as the vDPA backend creates a tenant of its own per VM.
 */

#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

#include "cdma_soft.h"

#define CDMA_TENANT_ANON	U64_MAX

/* uid -> &struct cdma_tenant; entries and their last put under the mutex */
static DEFINE_XARRAY(cdma_users);
static DEFINE_MUTEX(cdma_users_lock);

static struct cdma_tenant *cdma_tenant_alloc(u64 uid)
{
	struct cdma_tenant *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);

	if (t) {
		refcount_set(&t->ref, 1);
		atomic_set(&t->exports, 0);
		t->uid = uid;
	}
	return t;
}

/**
 * soft_tenant_create() - create a tenant of its own, a VM for instance
 *	(&cdma_engine_ops.tenant_create)
 * @engine: the engine
 *
 * Return: the tenant, with one reference, or NULL when out of memory.
 */
struct cdma_tenant *soft_tenant_create(struct cdma_engine *engine)
{
	return cdma_tenant_alloc(CDMA_TENANT_ANON);
}

/**
 * cdma_tenant_of_user() - the tenant of the calling process's real user
 *
 * Return: the tenant, with a reference, or NULL when out of memory.
 */
struct cdma_tenant *cdma_tenant_of_user(void)
{
	u32 uid = from_kuid(&init_user_ns, current_uid());
	struct cdma_tenant *t;

	mutex_lock(&cdma_users_lock);
	t = xa_load(&cdma_users, uid);
	if (t) {
		refcount_inc(&t->ref);
	} else {
		t = cdma_tenant_alloc(uid);
		if (t && xa_err(xa_store(&cdma_users, uid, t, GFP_KERNEL))) {
			kfree(t);
			t = NULL;
		}
	}
	mutex_unlock(&cdma_users_lock);
	return t;
}

/**
 * cdma_tenant_get() - take a reference
 * @t: the tenant
 *
 * Return: @t.
 */
struct cdma_tenant *cdma_tenant_get(struct cdma_tenant *t)
{
	refcount_inc(&t->ref);
	return t;
}

/**
 * soft_tenant_put() - drop a reference
 * @t: the tenant
 */
void soft_tenant_put(struct cdma_tenant *t)
{
	if (t->uid == CDMA_TENANT_ANON) {
		if (refcount_dec_and_test(&t->ref))
			kfree(t);
		return;
	}
	if (!refcount_dec_and_mutex_lock(&t->ref, &cdma_users_lock))
		return;
	xa_erase(&cdma_users, t->uid);
	mutex_unlock(&cdma_users_lock);
	kfree(t);
}

/**
 * cdma_tenant_charge_export() - count one more export against a tenant
 * @t: the tenant
 *
 * Return: 0, or -ENOSPC when @t holds max_exports already.
 */
int cdma_tenant_charge_export(struct cdma_tenant *t)
{
	if (atomic_inc_return(&t->exports) <= cdma_max_exports)
		return 0;
	atomic_dec(&t->exports);
	return -ENOSPC;
}

/**
 * cdma_tenant_uncharge_export() - an export of the tenant is gone
 * @t: the tenant
 */
void cdma_tenant_uncharge_export(struct cdma_tenant *t)
{
	atomic_dec(&t->exports);
}

/**
 * cdma_tenants_exit() - check every tenant is gone at unload
 */
void cdma_tenants_exit(void)
{
	WARN_ON(!xa_empty(&cdma_users));
	xa_destroy(&cdma_users);
}
