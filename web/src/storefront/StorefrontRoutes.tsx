import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { Loading } from "../app/ui";
import { CartProvider } from "./cart/cart";
import { Layout } from "./Layout";
import "./storefront.css";

const HomePage = lazy(() => import("./pages/HomePage"));
const SearchPage = lazy(() => import("./pages/SearchPage"));
const CategoryPage = lazy(() => import("./pages/CategoryPage"));
const ProductPage = lazy(() => import("./pages/ProductPage"));
const CartPage = lazy(() => import("./pages/CartPage"));
const CheckoutPage = lazy(() => import("./pages/CheckoutPage"));
const ConfirmationPage = lazy(() => import("./pages/ConfirmationPage"));
const SignInPage = lazy(() => import("./pages/SignInPage"));
const SignUpPage = lazy(() => import("./pages/SignUpPage"));
const AccountPage = lazy(() => import("./pages/AccountPage"));
const NotFoundPage = lazy(() => import("./pages/NotFoundPage"));

/** The storefront: every screen its own chunk, inside the shop's frame and cart. */
export default function StorefrontRoutes() {
  return (
    <CartProvider>
      <Layout>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route index element={<HomePage />} />
            <Route path="search" element={<SearchPage />} />
            <Route path="c/:id/:slug?" element={<CategoryPage />} />
            <Route path="p/:slug" element={<ProductPage />} />
            <Route path="cart" element={<CartPage />} />
            <Route path="checkout" element={<CheckoutPage />} />
            <Route path="order/:id" element={<ConfirmationPage />} />
            <Route path="account" element={<AccountPage />} />
            <Route path="account/signin" element={<SignInPage />} />
            <Route path="account/signup" element={<SignUpPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </Layout>
    </CartProvider>
  );
}
